//! Rust names for spec names: types, fields, variants, methods and modules.
//!
//! Every function here returns a valid Rust identifier for any input string (including empty,
//! non-ASCII and keyword inputs), so that `proc_macro2::Ident::new` never panics on spec input.

use heck::{ToPascalCase, ToSnakeCase};
use proc_macro2::{Ident, Span};

/// Strict and reserved keywords of Rust 2015–2024.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers (`r#self` is not allowed), so they get a trailing `_`.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// `createEvaluation`, `dataset items`, `+1` → `CreateEvaluation`, `DatasetItems`, `V1`.
pub fn type_name(raw: &str) -> String {
    let pascal = ascii_words(raw).to_pascal_case();
    fix_leading(pascal, "Type", "V")
}

/// `numberOptions`, `created-at`, `type` → `number_options`, `created_at`, `type` (made raw by [`ident`]).
pub fn field_name(raw: &str) -> String {
    let snake = ascii_words(raw).to_snake_case();
    fix_leading(snake, "value", "_")
}

/// Module names are field-style names that also avoid keywords by suffix, since `mod r#type` reads badly.
pub fn module_name(raw: &str) -> String {
    let name = field_name(raw);
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// An identifier for a name produced by the functions above: raw for keywords where allowed.
pub fn ident(name: &str) -> Ident {
    let clean = sanitize(name);
    if NOT_RAW.contains(&clean.as_str()) {
        return Ident::new(&format!("{clean}_"), Span::call_site());
    }
    if KEYWORDS.contains(&clean.as_str()) {
        return Ident::new_raw(&clean, Span::call_site());
    }
    Ident::new(&clean, Span::call_site())
}

/// Replaces everything that is not an ASCII letter or digit by a word break, so heck sees words.
/// A variant name for an enum value. Values without letters or digits are spelled out, so that
/// `==`, `!=`, `>=` become `Eq`, `Ne`, `Ge` rather than `Type`, `Type2`, `Type3`.
pub fn variant_name(wire: &str) -> String {
    if wire.is_empty() {
        return "Empty".to_owned();
    }
    if wire.chars().any(|c| c.is_ascii_alphanumeric()) {
        return type_name(wire);
    }
    let trimmed = wire.trim();
    if let Some((_, name)) = OPERATORS.iter().find(|(symbol, _)| *symbol == trimmed) {
        return (*name).to_owned();
    }
    let words: Vec<&str> = trimmed.chars().map(symbol_word).collect();
    fix_leading(words.concat(), "Blank", "V")
}

/// Comparison operators as their usual short names.
const OPERATORS: &[(&str, &str)] = &[
    ("=", "Eq"),
    ("==", "Eq"),
    ("===", "StrictEq"),
    ("!=", "Ne"),
    ("<>", "Ne"),
    ("!==", "StrictNe"),
    (">", "Gt"),
    (">=", "Ge"),
    ("<", "Lt"),
    ("<=", "Le"),
];

/// One symbol as a word, for values made only of symbols.
fn symbol_word(symbol: char) -> &'static str {
    match symbol {
        '=' => "Equals",
        '!' => "Bang",
        '<' => "Less",
        '>' => "Greater",
        '+' => "Plus",
        '-' => "Minus",
        '*' => "Star",
        '/' => "Slash",
        '%' => "Percent",
        '&' => "And",
        '|' => "Or",
        '^' => "Caret",
        '~' => "Tilde",
        '?' => "Question",
        '.' => "Dot",
        ',' => "Comma",
        ':' => "Colon",
        ';' => "Semicolon",
        '@' => "At",
        '#' => "Hash",
        '$' => "Dollar",
        '_' => "Underscore",
        _ => "Symbol",
    }
}

fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// Guarantees a non-empty identifier that does not start with a digit.
fn fix_leading(name: String, empty: &str, digit_prefix: &str) -> String {
    match name.chars().next() {
        None => empty.to_owned(),
        Some(c) if c.is_ascii_digit() => format!("{digit_prefix}{name}"),
        Some(_) => name,
    }
}

/// Last line of defence: only `[A-Za-z0-9_]`, not empty, not starting with a digit.
fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    match cleaned.chars().next() {
        None => "_empty".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("_{cleaned}"),
        Some(_) => cleaned,
    }
}

/// Gives each name in `names` a unique spelling by appending 2, 3, … to later duplicates.
pub fn dedupe(names: &mut [String], taken: &mut std::collections::BTreeSet<String>) {
    for name in names.iter_mut() {
        if taken.insert(name.clone()) {
            continue;
        }
        let mut n = 2;
        while !taken.insert(format!("{name}{n}")) {
            n += 1;
        }
        *name = format!("{name}{n}");
    }
}

/// An operation id for an operation that has none: `GET /pets/{pet_id}/photos` →
/// `get_pets_by_pet_id_photos`.
pub fn operation_id_from(method: &str, path: &str) -> String {
    let mut words = vec![method.to_owned()];
    let path = path.split('#').next().unwrap_or(path);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(parameter) => words.push(format!("by_{parameter}")),
            None => words.push(segment.to_owned()),
        }
    }
    field_name(&words.join("_"))
}

/// Words of a snake_case name.
pub fn words(snake: &str) -> Vec<&str> {
    snake.split('_').filter(|w| !w.is_empty()).collect()
}

/// Naive English singular of one word, good enough to match resource names in operation ids.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if word.ends_with("ss") {
        return word.to_owned();
    }
    word.strip_suffix('s').unwrap_or(word).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_identifiers_for_odd_input() {
        for raw in [
            "", "+1", "-1", "1st", "type", "self", "Self", "élan", "a.b-c", "__", "_", "crate",
        ] {
            let _ = ident(&type_name(raw));
            let _ = ident(&field_name(raw));
            let _ = ident(&module_name(raw));
        }
        assert_eq!(type_name("free_text"), "FreeText");
        assert_eq!(type_name("+1"), "V1");
        assert_eq!(field_name("numberOptions"), "number_options");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(module_name("type"), "type_");
    }

    #[test]
    fn operation_ids_from_method_and_path() {
        assert_eq!(
            operation_id_from("get", "/pets/{pet_id}/photos"),
            "get_pets_by_pet_id_photos"
        );
        assert_eq!(operation_id_from("post", "/"), "post");
        assert_eq!(operation_id_from("get", "/cookies#formExploded"), "get_cookies");
    }

    #[test]
    fn symbol_values_are_spelled_out() {
        let names: Vec<String> = ["==", "!=", ">=", "<=", ">", "<", "IN", "", " ", "+", "->"]
            .iter()
            .map(|v| variant_name(v))
            .collect();
        assert_eq!(
            names,
            [
                "Eq",
                "Ne",
                "Ge",
                "Le",
                "Gt",
                "Lt",
                "In",
                "Empty",
                "Blank",
                "Plus",
                "MinusGreater"
            ]
        );
    }

    #[test]
    fn dedupe_appends_numbers() {
        let mut taken = Default::default();
        let mut names = vec!["A".to_owned(), "A".to_owned(), "B".to_owned(), "A".to_owned()];
        dedupe(&mut names, &mut taken);
        assert_eq!(names, ["A", "A2", "B", "A3"]);
    }
}
