//! What a character map (CMap) costs the text extractor, read before it reads the map.
//!
//! pdf-extract hands each font's `/ToUnicode` stream to adobe-cmap-parser, which lexes the whole
//! stream into a list of values and then fills a hash map one code at a time for every
//! `beginbfrange` range: `<00000000> <FFFFFFFF> <0000>` is four billion entries (a 944-byte PDF
//! took 4.2 GB in 30 s; a 24-bit range 2.1 GB). A Type0 font's `/Encoding` CMap is lexed the same
//! way (its ranges are kept as ranges). The cost of a CMap is the values its stream lexes into
//! plus the codes its `beginbfrange` ranges span, counted as the parser counts them: a code is the
//! big-endian number of the string's bytes, its last four bytes when longer.

/// One lexed value, as far as a range needs it.
enum Value {
    /// A literal or hexadecimal string: its code.
    Code(u32),
    /// `beginbfrange`.
    BeginRange,
    /// `[` or `<<`: what follows up to the matching close is inside an array or dictionary.
    Open,
    /// `]` or `>>`.
    Close,
    /// Anything else (numbers, names, other operators).
    Other,
}

/// Where the reading of `beginbfrange` entries is.
#[derive(Clone, Copy)]
enum Range {
    Outside,
    /// Next: an entry's low code.
    Low,
    /// Next: its high code.
    High(u32),
    /// Next: its first destination, or an array of them.
    Destination,
}

/// The values the parser lexes `cmap` into plus the codes its ranges span.
pub(crate) fn cost(cmap: &[u8]) -> u64 {
    let mut lexer = Lexer { bytes: cmap, at: 0, values: 0 };
    let mut codes = 0u64;
    let mut range = Range::Outside;
    // How deep in arrays and dictionaries (counted, not recursed: a CMap may nest them deep).
    let mut depth = 0u64;
    while let Some(value) = lexer.next() {
        match value {
            Value::Open => {
                if depth == 0 {
                    // A whole array is one destination.
                    range = if matches!(range, Range::Destination) { Range::Low } else { Range::Outside };
                }
                depth += 1;
                continue;
            }
            Value::Close => {
                depth = depth.saturating_sub(1);
                continue;
            }
            _ if depth > 0 => continue,
            _ => {}
        }
        range = match (range, value) {
            (_, Value::BeginRange) => Range::Low,
            (Range::Low, Value::Code(low)) => Range::High(low),
            (Range::High(low), Value::Code(high)) => {
                codes += (u64::from(high) + 1).saturating_sub(u64::from(low));
                Range::Destination
            }
            (Range::Destination, _) => Range::Low,
            _ => Range::Outside,
        };
    }
    lexer.values.saturating_add(codes)
}

struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Values lexed so far (those inside arrays and dictionaries included).
    values: u64,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'%' => {
                    while !matches!(self.peek(), None | Some(b'\r' | b'\n')) {
                        self.at += 1;
                    }
                }
                _ if b.is_ascii_whitespace() || b == 0 => self.at += 1,
                _ => return,
            }
        }
    }

    /// The next value, or the opening or closing of an array or dictionary.
    fn next(&mut self) -> Option<Value> {
        self.skip_space();
        let b = self.peek()?;
        self.at += 1;
        let value = match b {
            b'(' => Value::Code(code(&self.literal())),
            b'<' if self.peek() == Some(b'<') => {
                self.at += 1;
                Value::Open
            }
            b'<' => Value::Code(code(&self.hex())),
            b'[' => Value::Open,
            b']' => return Some(Value::Close),
            b'>' if self.peek() == Some(b'>') => {
                self.at += 1;
                return Some(Value::Close);
            }
            _ => {
                let start = self.at - 1;
                while self.peek().is_some_and(|c| !is_delimiter(c)) {
                    self.at += 1;
                }
                if &self.bytes[start..self.at] == b"beginbfrange" { Value::BeginRange } else { Value::Other }
            }
        };
        self.values += 1;
        Some(value)
    }

    /// A literal string's bytes, after its `(`: escapes decoded, nested parentheses kept.
    fn literal(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut depth = 1usize;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'0'..=b'7' => {
                            let mut value = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(d - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(value as u8);
                        }
                        b'\r' if self.peek() == Some(b'\n') => self.at += 1,
                        b'\r' | b'\n' => {}
                        b'\\' | b'(' | b')' => out.push(e),
                        // An unknown escape is dropped; the byte after it is read as it is.
                        _ => self.at -= 1,
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
        out
    }

    /// A hexadecimal string's bytes, after its `<`.
    fn hex(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(b) = self.peek() {
            self.at += 1;
            if b == b'>' {
                break;
            }
            let Some(digit) = (b as char).to_digit(16) else { continue };
            match high.take() {
                Some(h) => out.push(h * 16 + digit as u8),
                None => high = Some(digit as u8),
            }
        }
        out
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || b == 0
        || matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A string's code as the parser computes it: big-endian, only the last four bytes kept.
fn code(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |code, b| (code << 8) | u32::from(*b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cost_the_codes_they_span() {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
            1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0003> <0020> <0011> <002E> endbfchar\n\
            2 beginbfrange <0024> <0026> <0041> <0044> <0045> [<0061> <0062>] endbfrange\n\
            endcmap CMapName currentdict /CMap defineresource pop end end";
        // 48 values, and 3 + 2 codes in the ranges.
        assert_eq!(cost(cmap), 48 + 5);
        // A range that follows an entry cut short is still counted; one in an array is not a range.
        assert_eq!(cost(b"1 beginbfrange <00> X beginbfrange <0000> <00FF> <0000>"), 8 + 256);
        assert_eq!(cost(b"beginbfrange <00> <01> [<0000> <FFFF>] <10> <11> <0000>"), 9 + 2 + 2);
        // Nesting is counted, not recursed into.
        assert_eq!(cost(&b"[".repeat(1_000_000)), 1_000_000);
        // The ranges of the attack, in hex and literal strings alike.
        assert_eq!(cost(b"1 beginbfrange <00000000> <FFFFFFFF> <0000> endbfrange"), 6 + (1 << 32));
        assert_eq!(cost(b"1 beginbfrange <00 00 00> <FF FF FF> <0000> endbfrange"), 6 + (1 << 24));
        assert_eq!(cost(b"1 beginbfrange (\\000\\000) (\\377\\377) <0000> endbfrange"), 6 + (1 << 16));
        // A longer string keeps its last four bytes; a range upside down spans nothing.
        assert_eq!(cost(b"beginbfrange <FF00000000> <FF00000009> <0000>"), 4 + 10);
        assert_eq!(cost(b"beginbfrange <0009> <0000> <0000>"), 4);
    }
}
