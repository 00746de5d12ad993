//! Counting, before the PDF library loads a document, the objects it would build: every number,
//! name, string, array, dictionary, boolean and null in the file's bytes and in what its streams
//! decompress to (object streams are read into objects too). lopdf holds some 120 bytes for each
//! (31 MB of one array of integers once took 1.9 GB), so the count bounds the memory of loading.
//!
//! The counter is fed bytes in pieces, as the decoders give them, and allocates nothing. It
//! counts as a tokenizer would, without knowing which bytes are data: compressed or image data
//! counts what it happens to spell (a `/` or `[` now and then), which is little, never less than
//! what lopdf builds.

/// Where the counter is between two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Between,
    /// After `<`: a dictionary (`<<`) or a hexadecimal string.
    Angle,
    Hex,
    /// A literal string, `depth` parentheses deep, after a backslash or not.
    Literal {
        depth: u32,
        escaped: bool,
    },
    Comment,
    Name,
    /// A run of regular characters: a number (only digits, signs and points so far), a keyword
    /// (its first five bytes kept), or anything else.
    Word {
        numeric: bool,
        len: u8,
        first: [u8; 5],
    },
}

/// Counts the objects in bytes given piece by piece.
#[derive(Debug, Clone)]
pub(crate) struct Counter {
    state: State,
    count: u64,
}

impl Default for Counter {
    fn default() -> Counter {
        Counter { state: State::Between, count: 0 }
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || b == 0
        || matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

impl Counter {
    /// Counts the objects in `bytes`, which follow those counted before.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    /// The objects counted, the last word included.
    pub(crate) fn finish(mut self) -> u64 {
        self.end_word();
        self.count
    }

    fn end_word(&mut self) {
        if let State::Word { numeric, len, first } = self.state {
            let word = &first[..usize::from(len).min(first.len())];
            if numeric || (len <= 5 && matches!(word, b"true" | b"false" | b"null")) {
                self.count += 1;
            }
            self.state = State::Between;
        }
    }

    fn byte(&mut self, b: u8) {
        match self.state {
            State::Comment => {
                if matches!(b, b'\r' | b'\n') {
                    self.state = State::Between;
                }
            }
            State::Literal { depth, escaped } => {
                self.state = match b {
                    _ if escaped => State::Literal { depth, escaped: false },
                    b'\\' => State::Literal { depth, escaped: true },
                    b'(' => State::Literal { depth: depth.saturating_add(1), escaped: false },
                    b')' if depth <= 1 => State::Between,
                    b')' => State::Literal { depth: depth - 1, escaped: false },
                    _ => State::Literal { depth, escaped: false },
                };
            }
            State::Hex => {
                if b == b'>' {
                    self.state = State::Between;
                }
            }
            State::Angle => {
                self.count += 1;
                if b == b'<' {
                    self.state = State::Between;
                } else {
                    self.state = State::Hex;
                    self.byte(b);
                }
            }
            State::Name if !is_delimiter(b) => {}
            State::Word { numeric, len, mut first } if !is_delimiter(b) => {
                if let Some(slot) = first.get_mut(usize::from(len)) {
                    *slot = b;
                }
                let numeric = numeric && matches!(b, b'0'..=b'9' | b'+' | b'-' | b'.');
                self.state = State::Word { numeric, len: len.saturating_add(1), first };
            }
            State::Name | State::Word { .. } => {
                self.end_word();
                self.state = State::Between;
                self.byte(b);
            }
            State::Between => match b {
                b'%' => self.state = State::Comment,
                b'(' => {
                    self.count += 1;
                    self.state = State::Literal { depth: 1, escaped: false };
                }
                b'<' => self.state = State::Angle,
                b'[' | b'/' => {
                    self.count += 1;
                    if b == b'/' {
                        self.state = State::Name;
                    }
                }
                _ if is_delimiter(b) => {}
                _ => {
                    let mut first = [0; 5];
                    first[0] = b;
                    let numeric = matches!(b, b'0'..=b'9' | b'+' | b'-' | b'.');
                    self.state = State::Word { numeric, len: 1, first };
                }
            },
        }
    }
}

/// The objects in `bytes`.
pub(crate) fn count(bytes: &[u8]) -> u64 {
    let mut counter = Counter::default();
    counter.feed(bytes);
    counter.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_counted_whatever_the_pieces() {
        let pdf = b"1 0 obj << /Type /Page /Kids [3 0 R 4 0 R] /T (a (b) \\) c) /H <41 42> /B true /N null >> endobj % 7 8 9\n-1.5 .5";
        // 1, 0, <<, /Type, /Page, /Kids, [, 3, 0, 4, 0, /T, (..), /H, <..>, /B, true, /N, null, -1.5, .5
        assert_eq!(count(pdf), 21);
        for piece in [1, 2, 3, 7] {
            let mut counter = Counter::default();
            pdf.chunks(piece).for_each(|c| counter.feed(c));
            assert_eq!(counter.finish(), 21, "pieces of {piece}");
        }
        assert_eq!(count(&b"1 ".repeat(1000)), 1000);
        assert_eq!(count(b"BT ET Tj truest nullify"), 0);
    }
}
