//! `$ref`s to reusable parameters, request bodies, responses, examples and (for multipart bodies)
//! schemas.

use indexmap::IndexMap;
use openapiv3::{Components, Example, OpenAPI, Parameter, ReferenceOr, RequestBody, Response as SpecResponse, Schema};

use crate::spec::pointer;

/// What a local `$ref` can name in `components`, and where those live.
pub(super) trait Component: Sized {
    /// `#/components/parameters/` and the like.
    const PREFIX: &'static str;
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>>;
}

impl Component for Parameter {
    const PREFIX: &'static str = "#/components/parameters/";
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
        &components.parameters
    }
}

impl Component for RequestBody {
    const PREFIX: &'static str = "#/components/requestBodies/";
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
        &components.request_bodies
    }
}

impl Component for SpecResponse {
    const PREFIX: &'static str = "#/components/responses/";
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
        &components.responses
    }
}

impl Component for Schema {
    const PREFIX: &'static str = "#/components/schemas/";
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
        &components.schemas
    }
}

impl Component for Example {
    const PREFIX: &'static str = "#/components/examples/";
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
        &components.examples
    }
}

/// The item itself, or the component its `$ref` names (one level: validation reports chains and
/// refs that go elsewhere).
pub(super) fn resolve<'o, T: Component>(openapi: &'o OpenAPI, item: &'o ReferenceOr<T>) -> Option<&'o T> {
    match item {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            let name = pointer::unescape_token(reference.strip_prefix(T::PREFIX)?);
            T::section(openapi.components.as_ref()?).get(&name)?.as_item()
        }
    }
}
