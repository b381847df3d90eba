//! Tokens → source text: `syn` parses, `prettyplease` prints, the header goes on top.

use proc_macro2::TokenStream;

/// Formats one file, or one slice of a file's items: printing a file in slices and joining the
/// text gives the same text as printing it whole, since `prettyplease` ends every item with a
/// line break. A parse failure is a bug in an emitter, reported as text rather than a panic.
pub fn format_rust(tokens: TokenStream) -> Result<String, String> {
    let file = syn::parse2::<syn::File>(tokens).map_err(|e| format!("emitted code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// Puts the header line on top of a file's contents.
pub fn with_header(contents: &str, header: &str) -> String {
    format!("// {header}\n{contents}")
}
