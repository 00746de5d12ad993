//! HTML as a browser parses it (html5ever, the HTML5 parsing algorithm), for checks a person's
//! browser and assistive technology rely on: no parse errors, headings in order, landmarks,
//! labelled controls, text alternatives, links.

use std::collections::HashSet;

use html5ever::tendril::TendrilSink;
use html5ever::tokenizer::TokenizerOpts;
use html5ever::tree_builder::TreeBuilderOpts;
use html5ever::{ParseOpts, parse_document};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

/// One element: its name, attributes and the text inside it.
#[derive(Debug, Clone)]
pub struct Element {
    /// Tag name, lower case.
    pub name: String,
    /// Attributes in document order.
    pub attrs: Vec<(String, String)>,
    /// The text of its descendants, whitespace collapsed.
    pub text: String,
    /// The names of its ancestors, nearest first.
    pub ancestors: Vec<String>,
}

impl Element {
    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A parsed page.
pub struct Html {
    /// Every element in document order.
    pub elements: Vec<Element>,
    /// What the parser reported as not conforming HTML.
    pub errors: Vec<String>,
    /// Whether each inline `<svg>` has a `<title>` child.
    svg_titles: Vec<bool>,
}

fn text_of(node: &Handle, out: &mut String) {
    for child in node.children.borrow().iter() {
        match &child.data {
            NodeData::Text { contents } => out.push_str(&contents.borrow()),
            NodeData::Element { .. } => text_of(child, out),
            _ => {}
        }
    }
}

fn walk(node: &Handle, ancestors: &mut Vec<String>, html: &mut Html) {
    if let NodeData::Element { name, attrs, .. } = &node.data {
        let tag = name.local.to_string();
        let mut text = String::new();
        text_of(node, &mut text);
        let attrs = attrs.borrow().iter().map(|a| (a.name.local.to_string(), a.value.to_string())).collect();
        if tag == "svg" {
            let titled = node
                .children
                .borrow()
                .iter()
                .any(|c| matches!(&c.data, NodeData::Element { name, .. } if &*name.local == "title"));
            html.svg_titles.push(titled);
        }
        html.elements.push(Element {
            name: tag.clone(),
            attrs,
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
            ancestors: ancestors.iter().rev().cloned().collect(),
        });
        ancestors.push(tag);
        for child in node.children.borrow().iter() {
            walk(child, ancestors, html);
        }
        ancestors.pop();
    } else {
        for child in node.children.borrow().iter() {
            walk(child, ancestors, html);
        }
    }
}

impl Html {
    /// Parses a document, keeping the parser's errors.
    pub fn parse(text: &str) -> Html {
        let opts = ParseOpts {
            tokenizer: TokenizerOpts { exact_errors: true, ..Default::default() },
            tree_builder: TreeBuilderOpts { exact_errors: true, ..Default::default() },
        };
        let dom = parse_document(RcDom::default(), opts).one(text);
        let mut html = Html {
            elements: Vec::new(),
            errors: dom.errors.borrow().iter().map(|e| e.to_string()).collect(),
            svg_titles: Vec::new(),
        };
        walk(&dom.document, &mut Vec::new(), &mut html);
        html
    }

    /// Elements named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements.iter().filter(move |e| e.name == name)
    }

    /// The first element named `name`.
    pub fn first(&self, name: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.name == name)
    }

    /// The element with this id.
    pub fn by_id(&self, id: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.attr("id") == Some(id))
    }

    /// Every `href` and `src`.
    pub fn links(&self) -> Vec<String> {
        self.elements.iter().filter_map(|e| e.attr("href").or(e.attr("src"))).map(str::to_owned).collect()
    }

    /// What keeps the page from being usable by a person with a screen reader or a keyboard,
    /// or from being parsed as the same document by every browser; empty when nothing does.
    pub fn accessibility_problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self.errors.iter().map(|e| format!("HTML parse error: {e}")).collect();
        if self.first("html").and_then(|e| e.attr("lang")) != Some("en-GB") {
            problems.push("<html> has no lang=\"en-GB\"".into());
        }
        if self.first("title").is_none_or(|t| t.text.is_empty()) {
            problems.push("no <title>".into());
        }
        // Landmarks: one main, a banner, a footer, and the navigation named.
        if self.all("main").count() != 1 {
            problems.push(format!("{} <main> elements, not one", self.all("main").count()));
        }
        for landmark in ["header", "nav", "footer"] {
            if self.first(landmark).is_none() {
                problems.push(format!("no <{landmark}> landmark"));
            }
        }
        // Headings: one h1, first; no level skipped on the way down.
        let levels: Vec<usize> = self
            .elements
            .iter()
            .filter(|e| e.ancestors.iter().all(|a| a != "svg"))
            .filter_map(|e| e.name.strip_prefix('h').and_then(|n| n.parse().ok()).filter(|n| (1..=6).contains(n)))
            .collect();
        if levels.first() != Some(&1) || levels.iter().filter(|l| **l == 1).count() != 1 {
            problems.push(format!("headings should start with the one h1: {levels:?}"));
        }
        for pair in levels.windows(2) {
            if pair[1] > pair[0] + 1 {
                problems.push(format!("heading h{} follows h{}: a level is skipped", pair[1], pair[0]));
            }
        }
        // Every form control has a label (or an accessible name of its own).
        let labelled: HashSet<&str> = self.all("label").filter_map(|l| l.attr("for")).collect();
        for control in self.elements.iter().filter(|e| ["input", "select", "textarea"].contains(&e.name.as_str())) {
            if control.attr("type") == Some("hidden") {
                continue;
            }
            let named = control.attr("id").is_some_and(|id| labelled.contains(id))
                || control.attr("aria-label").is_some_and(|l| !l.is_empty());
            if !named {
                problems.push(format!("<{} name={:?}> has no label", control.name, control.attr("name")));
            }
        }
        // Text alternatives: images have alt text, inline charts a title.
        for img in self.all("img") {
            if img.attr("alt").is_none_or(|a| a.trim().is_empty()) {
                problems.push(format!("<img src={:?}> has no alt text", img.attr("src")));
            }
        }
        if self.svg_titles.iter().any(|t| !t) {
            problems.push("an inline <svg> has no <title>".into());
        }
        // Ids are unique (labels, anchors and aria references point at one element).
        let mut ids = HashSet::new();
        for id in self.elements.iter().filter_map(|e| e.attr("id")) {
            if !ids.insert(id) {
                problems.push(format!("id {id:?} is used twice"));
            }
        }
        // Links have text a screen reader can read out.
        for a in self.all("a") {
            if a.text.is_empty() && a.attr("aria-label").is_none() {
                problems.push(format!("<a href={:?}> has no text", a.attr("href")));
            }
        }
        problems
    }
}
