//! One document read into records: what its title, body, attachments and change history state.

use std::sync::LazyLock;

use chrono::{SubsecRound, Utc};
use regex::Regex;
use schema::domain::{Intervention, InterventionKind, PartialDate, Provenance, Service, SourceClass, Withdrawal};

use super::document::{ContentItem, Details, Document, DocumentError, on_govuk};
use super::site::{PARSER_VERSION, SOURCE};
use crate::govuk;
use crate::ids::intervention_id;
use crate::seed::CouncilNames;

/// Text of a fragment of HTML: tags dropped, entities that matter decoded, spaces collapsed.
fn text_of_html(html: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").unwrap_or_else(|e| panic!("{e}")));
    let text = TAG.replace_all(html, " ");
    let text = text
        .replace("&nbsp;", " ")
        .replace("&#39;", "'")
        .replace("&rsquo;", "\u{2019}")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // A tag closed before punctuation ("<a …>pigs</a>.") left a space there.
    static SPACE_BEFORE_PUNCTUATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r" ([.,;:!?)])").unwrap_or_else(|e| panic!("{e}")));
    SPACE_BEFORE_PUNCTUATION.replace_all(&text, "$1").into_owned()
}

/// A document's attachments (`details.attachments`), each once, with its address and title.
fn attachments(details: &Details) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for a in &details.attachments {
        let Some(url) = a.address() else { continue };
        if !out.iter().any(|(u, _)| *u == url) {
            out.push((url, a.name().map(str::to_owned)));
        }
    }
    out
}

/// The attachments in words, for a summary: "It attaches `Improvement notice` (PDF, 9 pages)."
fn attachments_in_words(details: &Details) -> Option<String> {
    let described: Vec<String> = details
        .attachments
        .iter()
        .filter(|a| a.address().is_some())
        .map(|a| {
            let name = a.name().map_or_else(|| "an untitled attachment".to_owned(), |n| format!("`{n}`"));
            a.format().map_or_else(|| name.clone(), |f| format!("{name} ({f})"))
        })
        .collect();
    (!described.is_empty()).then(|| format!("It attaches {}.", described.join(", ")))
}

/// GOV.UK's withdrawal of `what` in words, when the item is withdrawn: when, and why.
pub(super) fn withdrawal(item: &ContentItem, what: &str) -> Option<String> {
    let w = item.withdrawal()?;
    let on = w.withdrawn_at.map(|t| format!(" on {}", t.date_naive())).unwrap_or_default();
    let why = w.explanation.as_deref().map(text_of_html).filter(|s| !s.is_empty());
    let why = why.map(|w| format!(": {}", w.trim_end_matches('.'))).unwrap_or_default();
    Some(format!("GOV.UK withdrew {what}{on}{why}."))
}

/// A record's id: stable across runs, and across a page's change of address (GOV.UK keeps the
/// `content_id` when a page moves; the base path stands in where there is none).
fn record_id(document: &str, role: &str) -> String {
    intervention_id(&[SOURCE, document, role])
}

/// What a document's body says, and when it says the intervention ended (lifted, revoked or
/// closed): from the body, else from a note of its change history, else from the explanation of
/// its withdrawal. The date GOV.UK withdrew a page is never an end: a page goes out of date for
/// many reasons, and only what DfE writes says the intervention ended.
pub(super) fn stated(item: &ContentItem) -> (govuk::BodyFacts, Option<PartialDate>) {
    let facts = govuk::body(&item.details.body.as_deref().map(text_of_html).unwrap_or_default());
    let history = item.details.change_history.iter().filter_map(|c| c.note.as_deref()).map(govuk::body);
    let withdrawal = item.withdrawal().and_then(|w| w.explanation.as_deref()).map(|e| govuk::body(&text_of_html(e)));
    let ended = facts.ended.or_else(|| history.chain(withdrawal).filter_map(|b| b.ended).next());
    (facts, ended)
}

/// What a document says about its records beyond the records themselves.
#[derive(Debug, Clone, Default)]
pub(super) struct Hints {
    /// A revised direction: it continues the council's latest earlier direction.
    pub(super) revised: bool,
    /// It replaces the direction issued on this date.
    pub(super) replaces: Option<PartialDate>,
    /// A direction issued on this date replaced it.
    pub(super) replaced_on: Option<PartialDate>,
    /// When GOV.UK first published the page: matched against other sources' dates when the
    /// page gives no date of issue, never published as one.
    pub(super) published: Option<PartialDate>,
}

/// The records one document states, before reconciliation: the notice, direction or
/// appointment, and its end when the document says it was lifted or revoked.
pub(super) fn read_document(doc: &Document, names: &CouncilNames) -> Result<(Vec<Intervention>, Hints), DocumentError> {
    let item = &doc.item;
    let title = govuk::title(&doc.title)
        .ok_or_else(|| DocumentError::UnknownTitle { url: doc.api_url.clone(), title: doc.title.clone() })?;
    let body_text = item.details.body.as_deref().map(text_of_html).unwrap_or_default();
    let description = item.description.as_deref().map(text_of_html).unwrap_or_default();
    let (facts, ended) = stated(item);
    let published = item.first_published_at.map(|t| PartialDate::day(t.date_naive()));

    let mut summary = vec![description.clone()];
    let start = facts.issued.or(title.month);
    if start.is_none() {
        let on = published.map(|d| format!(" GOV.UK first published it on {d}.")).unwrap_or_default();
        summary.push(format!("The page gives no date of issue.{on}"));
    }
    let la = names
        .find(&title.council, start.or(published).map(|d| d.first_day))
        .ok_or_else(|| DocumentError::UnknownCouncil { url: doc.api_url.clone(), council: title.council.clone() })?
        .to_owned();
    let service = if govuk::is_send(&format!("{} {description} {body_text}", doc.title)) {
        Service::Send
    } else {
        Service::ChildrensSocialCare
    };
    // A withdrawn page is still DfE's record of what it did: the record stays, and says so.
    if let Some(withdrawn) = withdrawal(item, "this page") {
        summary.insert(1, withdrawn);
    }
    summary.extend(attachments_in_words(&item.details));
    let summary = summary.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");

    let document = item.content_id.as_deref().unwrap_or(&doc.base_path);
    let attachments = attachments(&item.details);
    let page = on_govuk(&doc.base_path);
    let mut source_urls = vec![page.clone()];
    source_urls.extend(attachments.iter().map(|(url, _)| url.clone()));
    let main = Intervention {
        id: record_id(document, "issued"),
        la,
        kind: title.kind,
        service,
        start_date: start,
        end_date: ended.or(facts.replaced_on),
        commissioner: facts.commissioner.clone(),
        title: Some(doc.title.clone()),
        summary: (!summary.is_empty()).then_some(summary),
        source_urls,
        follows: None,
        same_as: None,
        document_updated_at: item.public_updated_at.map(|t| t.with_timezone(&Utc).trunc_subsecs(0)),
        // DfE's own page on GOV.UK.
        source_class: SourceClass::Primary,
        see_also: Vec::new(),
        end_source_url: None,
        end_note: None,
        in_force_confirmed: None,
        document_withdrawn: item.withdrawal().map(|w| Withdrawal {
            at: w.withdrawn_at.map(|t| t.with_timezone(&Utc)),
            explanation: w.explanation.as_deref().map(text_of_html).filter(|s| !s.is_empty()),
        }),
        corroborations: Vec::new(),
        provenance: Provenance {
            source: SOURCE.into(),
            source_url: doc.api_url.clone(),
            retrieved_at: doc.retrieved_at,
            sha256: doc.sha256.clone(),
            parser_version: PARSER_VERSION.into(),
        },
    };
    let hints = Hints { revised: title.revised, replaces: facts.replaces, replaced_on: facts.replaced_on, published };
    // A page of several directions states one per dated attachment ("Direction issued to Slough
    // Borough Council (October 2017)").
    let parts: Vec<(&String, &String, govuk::TitleFacts)> = attachments
        .iter()
        .filter_map(|(url, t)| Some((url, t.as_ref()?, govuk::title(t.as_ref()?)?)))
        .filter(|(_, _, facts)| facts.month.is_some())
        .collect();
    if title.several && !parts.is_empty() {
        let records = parts
            .into_iter()
            .map(|(url, part, facts)| Intervention {
                id: record_id(document, &format!("attachment {url}")),
                kind: facts.kind,
                start_date: facts.month,
                end_date: None,
                title: Some(part.clone()),
                summary: Some(
                    format!("{description} One of the directions on the page `{}`.", doc.title).trim().to_owned(),
                ),
                source_urls: vec![page.clone(), url.clone()],
                ..main.clone()
            })
            .collect();
        return Ok((records, Hints { published, ..Hints::default() }));
    }
    let mut records = vec![main.clone()];
    // An end of its own, unless another direction replaced it (that direction continues it).
    if let Some(ended) = ended.filter(|_| !facts.replaced_by_direction) {
        let what = match title.kind {
            InterventionKind::ImprovementNotice => "notice was lifted",
            InterventionKind::StatutoryDirection => "direction was revoked",
            _ => "intervention ended",
        };
        records.push(Intervention {
            id: record_id(document, "ended"),
            kind: InterventionKind::InterventionEnded,
            start_date: Some(ended),
            end_date: None,
            commissioner: None,
            summary: Some(format!("The {what}, as `{}` states.", doc.title)),
            follows: Some(main.id.clone()),
            ..main
        });
    }
    Ok((records, hints))
}

#[cfg(test)]
mod tests {
    use super::super::document::{Attachment, real_item};
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            text_of_html("<div class=\"govspeak\"><p>A&nbsp;direction</p>\n<p>Children&rsquo;s</p></div>"),
            "A direction Children\u{2019}s"
        );
        assert_eq!(text_of_html("<p>read <a href=\"/x\">the guidance</a>.</p>"), "read the guidance.");
    }

    #[test]
    fn attachments_are_read_in_todays_shape() {
        // A real content item (publishing-api's example): one PDF, with title, file name, type
        // and page count.
        let item = real_item("publication_frontend_publication-with-featured-attachments.json");
        let found = attachments(&item.details);
        assert_eq!(
            found,
            [(
                "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/315163/PUBLIC_1392629965.pdf".to_owned(),
                Some("Number of ex-regular service personnel now part of FR20".to_owned())
            )]
        );
        assert_eq!(
            attachments_in_words(&item.details).as_deref(),
            Some("It attaches `Number of ex-regular service personnel now part of FR20` (PDF, 2 pages).")
        );
        // An item with no `attachments` key attaches nothing.
        let notice = real_item("publication_frontend_best-practice-notice.json");
        assert!(attachments(&notice.details).is_empty() && attachments_in_words(&notice.details).is_none());
    }

    #[test]
    fn attachments_of_every_type_have_an_address_and_a_name() {
        let details = Details {
            attachments: vec![
                Attachment {
                    attachment_type: Some("html".into()),
                    title: Some("The direction".into()),
                    url: Some("/government/publications/x/the-direction".into()),
                    ..Attachment::default()
                },
                Attachment {
                    attachment_type: Some("file".into()),
                    url: Some("https://assets.publishing.service.gov.uk/media/a/x.docx".into()),
                    content_type: Some(
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
                    ),
                    filename: Some("x.docx".into()),
                    number_of_pages: Some(1),
                    ..Attachment::default()
                },
                // The same file twice is one source; an attachment with no address is none.
                Attachment {
                    url: Some("https://assets.publishing.service.gov.uk/media/a/x.docx".into()),
                    ..Attachment::default()
                },
                Attachment { title: Some("Nowhere".into()), ..Attachment::default() },
            ],
            ..Details::default()
        };
        let found = attachments(&details);
        let found: Vec<(&str, Option<&str>)> = found.iter().map(|(u, t)| (u.as_str(), t.as_deref())).collect();
        assert_eq!(
            found,
            [
                ("https://www.gov.uk/government/publications/x/the-direction", Some("The direction")),
                ("https://assets.publishing.service.gov.uk/media/a/x.docx", Some("x.docx")),
            ]
        );
        assert_eq!(
            attachments_in_words(&details).as_deref(),
            Some("It attaches `The direction` (HTML), `x.docx` (Word document, 1 page), an untitled attachment.")
        );
    }

    #[test]
    fn a_withdrawal_is_said_and_never_read_as_an_end() {
        // A real withdrawn item: its explanation (HTML, with a link) and date.
        let item = real_item("publication_frontend_withdrawn_publication.json");
        assert_eq!(
            withdrawal(&item, "this page").as_deref(),
            Some(
                "GOV.UK withdrew this page on 2015-01-13: This information is now out of date. For our current guidance please read guidance for keepers of sheep, goats and pigs."
            )
        );
        assert_eq!(stated(&item).1, None, "the date of withdrawal is not an end");
        // Not withdrawn: content-store's `{}`, or no notice at all.
        assert_eq!(withdrawal(&real_item("publication_frontend_best-practice-policy-paper.json"), "x"), None);
        assert_eq!(withdrawal(&real_item("publication_frontend_best-practice-notice.json"), "x"), None);
        // What DfE writes in the explanation is read like the body.
        let mut item = item;
        item.withdrawn_notice = Some(super::super::document::WithdrawnNotice {
            explanation: Some("<div class=\"govspeak\"><p>The notice was lifted on 21 December 2023.</p></div>".into()),
            withdrawn_at: None,
        });
        assert_eq!(stated(&item).1, Some(PartialDate::day(chrono::NaiveDate::from_ymd_opt(2023, 12, 21).unwrap())));
    }

    #[test]
    fn ids_are_stable_and_distinct_by_role() {
        let a = record_id("/government/publications/x", "issued");
        assert_eq!(a, record_id("/government/publications/x", "issued"));
        assert_ne!(a, record_id("/government/publications/x", "ended"));
        assert_eq!(a.len(), 19);
    }
}
