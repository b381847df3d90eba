//! Tokens → source text: `syn` parses, `prettyplease` prints, the header goes on top.

use proc_macro2::TokenStream;

/// Formats one file. A parse failure is a bug in an emitter, reported as text rather than a panic.
pub fn format_rust(tokens: TokenStream, header: &str) -> Result<String, String> {
    let file = syn::parse2::<syn::File>(tokens).map_err(|e| format!("emitted code does not parse: {e}"))?;
    Ok(format!("// {header}\n{}", prettyplease::unparse(&file)))
}

/// Prepends the header to a hand-written runtime file copied verbatim.
pub fn with_header(contents: &str, header: &str) -> String {
    format!("// {header}\n{contents}")
}
