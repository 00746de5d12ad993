//! Prints the text layer of each PDF given, as the report parser receives it (before normalising).
fn main() {
    for path in std::env::args().skip(1) {
        match std::fs::read(&path) {
            Ok(bytes) => match fetchers::report::extract_text(&bytes) {
                Ok(text) => println!("{text}"),
                Err(e) => eprintln!("{path}: {e}"),
            },
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
