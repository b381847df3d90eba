//! The spec stage: the text of an OpenAPI document, loaded once ([`load`]) with a pointer → line
//! index ([`line_index`]), and checked for what `openapiv3` does not check ([`validate`], against
//! the table of known keys in [`known_keys`]), read as strictly as the spec asks ([`leniency`]).
//! A 3.1 document is first rewritten into 3.0's shape by [`v31`]. [`pointer`] is how every stage
//! names a place in it.

pub(crate) mod known_keys;
pub(crate) mod leniency;
pub(crate) mod line_index;
pub(crate) mod load;
pub(crate) mod pointer;
pub(crate) mod v31;
pub(crate) mod validate;

#[cfg(test)]
mod tests;
