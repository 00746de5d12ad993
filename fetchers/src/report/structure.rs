//! Checks of a loaded document, before the text extractor walks it, against the structures it
//! would follow without end or expand without bound: a page whose `/Parent` links loop (the
//! extractor looks up inherited keys by recursion), form XObjects that invoke one another in a
//! loop or too deep (it recurses into each `Do`: a form that draws itself overflows the stack and
//! aborts the process), and pages that hold too much content once every content stream and every
//! form they invoke is counted as often as it is drawn (the extractor parses each into a list of
//! operators, some 600 bytes of memory per operator: 4 MB of `q Q` once took 1.2 GB).
//!
//! It also counts what the fonts' character maps will cost (`cmap`): the extractor builds each
//! font's map again on every page, so a map is counted for every page whose resources (or those
//! of a form the page draws) hold its font.
//!
//! What the extractor would do is followed as it does it (pdf-extract 0.12: a page's content is
//! its content streams, decoded where they can be; a form's resources are its own or, failing
//! that, its caller's). Content is read with a cheap tokenizer that only counts operators and
//! keeps the names given to `Do`.

use std::collections::{HashMap, HashSet};

use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

use super::cmap;
use super::guard::Refusal;

/// How deep form XObjects may be nested (the real reports nest them two deep).
pub(crate) const MAX_FORM_DEPTH: usize = 32;

/// How far up a page's `/Parent` links are followed.
const MAX_PAGE_TREE_DEPTH: usize = 256;

/// What one content stream holds.
struct Content {
    bytes: u64,
    tokens: Tokens,
}

struct Check<'a> {
    doc: &'a Document,
    streams: HashMap<ObjectId, Content>,
    /// The cost of each CMap stream met so far.
    cmaps: HashMap<ObjectId, u64>,
    /// The resource dictionaries (by address) whose fonts the current page has counted.
    page_resources: HashSet<usize>,
    /// Content drawn so far, every stream counted each time it is drawn.
    drawn: Drawn,
    limits: Drawn,
}

/// Content drawn: bytes, operators and operands, every stream counted each time it is drawn;
/// and the entries of the character maps the extractor builds, every map counted each time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Drawn {
    pub bytes: u64,
    pub operators: u64,
    pub operands: u64,
    pub cmap_entries: u64,
}

/// Checks `doc` as the text extractor will walk it: when it may be handed over, what it will draw.
pub(crate) fn check(doc: &Document, limits: Drawn) -> Result<Drawn, Refusal> {
    let mut check = Check {
        doc,
        streams: HashMap::new(),
        cmaps: HashMap::new(),
        page_resources: HashSet::new(),
        drawn: Drawn::default(),
        limits,
    };
    for page_id in doc.get_pages().into_values() {
        let Ok(page) = doc.get_dictionary(page_id) else { continue };
        let resources = check.inherited_resources(page)?;
        check.page_resources.clear();
        check.fonts(resources)?;
        let mut invoked = Vec::new();
        for id in doc.get_page_contents(page_id) {
            if let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) {
                invoked.extend(check.draw(id, stream)?);
            }
        }
        let mut path = Vec::new();
        for name in invoked {
            check.invoke(&name, resources, &mut path)?;
        }
    }
    Ok(check.drawn)
}

impl<'a> Check<'a> {
    /// The page's resources, inherited through its `/Parent` links, which must not loop.
    fn inherited_resources(&self, page: &'a Dictionary) -> Result<Option<&'a Dictionary>, Refusal> {
        let mut seen = HashSet::new();
        let mut node = page;
        let mut resources = None;
        for _ in 0..MAX_PAGE_TREE_DEPTH {
            if resources.is_none() {
                resources = node.get(b"Resources").ok().and_then(|r| self.dict(r));
            }
            let Ok(parent) = node.get(b"Parent").and_then(Object::as_reference) else { return Ok(resources) };
            if !seen.insert(parent) {
                return Err(Refusal::Structure("its page tree loops: a page is its own ancestor"));
            }
            let Ok(next) = self.doc.get_dictionary(parent) else { return Ok(resources) };
            node = next;
        }
        Err(Refusal::Structure("its page tree is more than 256 levels deep"))
    }

    fn dict(&self, object: &'a Object) -> Option<&'a Dictionary> {
        self.doc.dereference(object).ok().and_then(|(_, o)| o.as_dict().ok())
    }

    /// Counts one drawing of a stream; returns the names its `Do` operators invoke.
    fn draw(&mut self, id: ObjectId, stream: &Stream) -> Result<Vec<Vec<u8>>, Refusal> {
        let content = self.streams.entry(id).or_insert_with(|| {
            // As the extractor reads it: decoded where the filters allow, else the raw bytes.
            let bytes = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
            Content { bytes: bytes.len() as u64, tokens: tokens(&bytes) }
        });
        let drawn = &mut self.drawn;
        drawn.bytes += content.bytes;
        drawn.operators += content.tokens.operators;
        drawn.operands += content.tokens.operands;
        if drawn.bytes > self.limits.bytes {
            return Err(Refusal::TooMuch);
        }
        if drawn.operators > self.limits.operators || drawn.operands > self.limits.operands {
            return Err(Refusal::Content);
        }
        Ok(content.tokens.invoked.clone())
    }

    /// Follows a `Do` of `name` in `resources` as the extractor would.
    fn invoke(
        &mut self,
        name: &[u8],
        resources: Option<&'a Dictionary>,
        path: &mut Vec<ObjectId>,
    ) -> Result<(), Refusal> {
        let doc = self.doc;
        let Some(xobjects) = resources.and_then(|r| r.get(b"XObject").ok()).and_then(|x| self.dict(x)) else {
            return Ok(());
        };
        let Ok(entry) = xobjects.get(name) else { return Ok(()) };
        let Ok((Some(id), object)) = doc.dereference(entry) else { return Ok(()) };
        let Ok(stream) = object.as_stream() else { return Ok(()) };
        if path.contains(&id) {
            return Err(Refusal::Structure("its form XObjects invoke one another in a loop"));
        }
        if path.len() >= MAX_FORM_DEPTH {
            return Err(Refusal::Structure("its form XObjects are nested more than 32 deep"));
        }
        let invoked = self.draw(id, stream)?;
        let own = stream.dict.get(b"Resources").ok().and_then(|r| self.dict(r));
        self.fonts(own)?;
        path.push(id);
        for name in invoked {
            self.invoke(&name, own.or(resources), path)?;
        }
        path.pop();
        Ok(())
    }

    /// Counts the character maps of the fonts in `resources`, once per page.
    fn fonts(&mut self, resources: Option<&'a Dictionary>) -> Result<(), Refusal> {
        let Some(resources) = resources else { return Ok(()) };
        if !self.page_resources.insert(std::ptr::from_ref(resources) as usize) {
            return Ok(());
        }
        let Some(fonts) = resources.get(b"Font").ok().and_then(|f| self.dict(f)) else { return Ok(()) };
        for (_, font) in fonts.iter() {
            let Some(font) = self.dict(font) else { continue };
            // The map from codes to text, and a Type0 font's map from codes to glyphs.
            for key in [&b"ToUnicode"[..], b"Encoding"] {
                let Ok((id, object)) = font.get(key).and_then(|o| self.doc.dereference(o)) else { continue };
                let Ok(stream) = object.as_stream() else { continue };
                // As the extractor reads it: decoded where the filters allow, else the raw bytes.
                let cost = || cmap::cost(&stream.decompressed_content().unwrap_or_else(|_| stream.content.clone()));
                let cost = match id {
                    Some(id) => *self.cmaps.entry(id).or_insert_with(cost),
                    None => cost(),
                };
                self.drawn.cmap_entries = self.drawn.cmap_entries.saturating_add(cost);
                if self.drawn.cmap_entries > self.limits.cmap_entries {
                    return Err(Refusal::CMaps);
                }
            }
        }
        Ok(())
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || b == 0
        || matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// What content-stream bytes hold, as the extractor will parse them.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Tokens {
    /// Operators.
    pub operators: u64,
    /// Operands: numbers, names, strings, and each array and dictionary.
    pub operands: u64,
    /// The name each `Do` is given, in order.
    pub invoked: Vec<Vec<u8>>,
}

/// Reads content-stream bytes cheaply, allocating nothing per token: strings, names, numbers,
/// arrays and dictionaries count as operands, comments are skipped, and whatever else is a token
/// counts as an operator (binary data is overcounted, never undercounted).
pub(crate) fn tokens(content: &[u8]) -> Tokens {
    let mut t = Tokens::default();
    let mut last_name: Option<Vec<u8>> = None;
    let mut i = 0;
    while let Some(&b) = content.get(i) {
        match b {
            b'%' => {
                while !matches!(content.get(i), None | Some(b'\r' | b'\n')) {
                    i += 1;
                }
            }
            b'(' => {
                t.operands += 1;
                let mut depth = 0usize;
                while let Some(&c) = content.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' if depth <= 1 => break,
                        b')' => depth -= 1,
                        _ => {}
                    }
                }
            }
            b'<' if content.get(i + 1) == Some(&b'<') => {
                t.operands += 1;
                i += 2;
            }
            b'<' => {
                t.operands += 1;
                while !matches!(content.get(i), None | Some(b'>')) {
                    i += 1;
                }
                i += 1;
            }
            b'[' => {
                t.operands += 1;
                i += 1;
            }
            b'/' => {
                t.operands += 1;
                let (name, len) = super::guard::name_at(&content[i + 1..]);
                last_name = Some(name);
                i += 1 + len;
            }
            b if is_delimiter(b) => i += 1,
            _ => {
                let start = i;
                while content.get(i).is_some_and(|c| !is_delimiter(*c)) {
                    i += 1;
                }
                let token = &content[start..i];
                if matches!(token[0], b'0'..=b'9' | b'+' | b'-' | b'.') {
                    t.operands += 1;
                } else {
                    t.operators += 1;
                    if token == b"Do"
                        && let Some(name) = last_name.take()
                    {
                        t.invoked.push(name);
                    }
                }
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_and_invocations_kept() {
        let t = tokens(b"q 1 0 0 1 0 0 cm /Im#31 Do Q BT /F1 12 Tf (a (nested) \\) string) Tj ET % Do\n/X Do");
        assert_eq!((t.operators, t.operands), (9, 11));
        assert_eq!(t.invoked, vec![b"Im1".to_vec(), b"X".to_vec()]);
        let t = tokens(b"<< /A 1 >> <0041> [3.5 -2] +1 .5");
        assert_eq!((t.operators, t.operands), (0, 9));
    }
}
