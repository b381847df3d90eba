//! The intermediate model: what the client is made of, independent of `openapiv3` and of tokens.
//!
//! Types live in an arena ([`TypeDef`]s addressed by [`TypeId`]); operations are grouped by
//! resource. Names in here are final Rust names.

/// Everything the emitters need.
#[derive(Clone, Debug)]
pub struct ApiModel {
    pub settings: Settings,
    pub types: Vec<TypeDef>,
    pub resources: Vec<Resource>,
}

/// API-wide settings, from `info`, `servers`, `securitySchemes` and the root `x-codegen` extension.
#[derive(Clone, Debug)]
pub struct Settings {
    pub crate_name: String,
    pub crate_version: String,
    pub crate_description: String,
    pub api_description: Option<String>,
    pub default_base_url: String,
    pub base_url_env: Option<String>,
    pub credentials: Vec<Credential>,
    /// The root `security` list: what an operation without its own list requires.
    pub default_security: Security,
}

/// What an operation requires: alternatives in order, each naming the schemes (by their keys
/// under `components.securitySchemes`) sent together. Empty: nothing.
pub type Security = Vec<Vec<String>>;

/// A security scheme the client can send: a builder setter, and a value sent with the operations
/// that require it.
#[derive(Clone, Debug)]
pub struct Credential {
    /// The scheme's key under `components.securitySchemes`, as requirements name it.
    pub scheme: String,
    /// How the value is written.
    pub kind: CredentialKind,
    pub location: CredentialLocation,
    /// The header, query parameter or cookie that carries it.
    pub parameter: String,
    /// The builder method that sets it, e.g. `api_key`.
    pub setter: String,
    pub env_var: Option<String>,
    pub doc: Option<String>,
    /// Every operation requires it, so the client's `build` fails without it.
    pub required_by_every_operation: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

#[derive(Clone, Debug)]
pub struct TypeDef {
    pub name: String,
    pub doc: Option<String>,
    /// Where the schema was defined, for messages.
    pub pointer: String,
    pub kind: TypeKind,
    /// Reachable from a request body or parameter.
    pub in_request: bool,
    /// Reachable from a response body.
    pub in_response: bool,
    /// Set when the schema says `deprecated: true`: the note users' code is warned with.
    pub deprecated: Option<String>,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Struct(StructDef),
    Enum(EnumDef),
    Union(UnionDef),
    /// A named schema that is just another type, e.g. `ItemLocator = String`.
    Alias(TypeRef),
}

#[derive(Clone, Debug, Default)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// `additionalProperties` next to `properties`: extra keys kept in a flattened map.
    pub additional: Option<TypeRef>,
    /// `additionalProperties: false`: unknown keys are rejected when decoding, unless a response
    /// uses the type (there, new keys from the server must not break decoding).
    pub closed: bool,
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub wire_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub doc: Option<String>,
    /// Set by cycle detection: the field's type contains its owner without indirection.
    pub boxed: bool,
    /// Set when the property says `deprecated: true`.
    pub deprecated: Option<String>,
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub variants: Vec<EnumVariant>,
}

#[derive(Clone, Debug)]
pub struct EnumVariant {
    pub name: String,
    pub wire: String,
}

#[derive(Clone, Debug)]
pub struct UnionDef {
    pub variants: Vec<UnionVariant>,
    /// The property whose value says which variant an object is (a `discriminator`, or a
    /// single-value enum property present in every variant).
    pub tag: Option<String>,
}

#[derive(Clone, Debug)]
pub struct UnionVariant {
    pub name: String,
    pub ty: TypeRef,
    /// The tag value that selects this variant, when the union is tagged.
    pub tag_value: Option<String>,
    pub boxed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeRef {
    String,
    Integer,
    Number,
    Boolean,
    DateTime,
    Bytes,
    /// Any JSON value (`{}`).
    Any,
    /// A free-form JSON object.
    Object,
    Array(Box<TypeRef>),
    Map(Box<TypeRef>),
    Named(TypeId),
}

impl TypeRef {
    /// The named type this reference mentions directly (not through an array or map).
    pub fn direct_named(&self) -> Option<TypeId> {
        match self {
            TypeRef::Named(id) => Some(*id),
            _ => None,
        }
    }

    /// Every named type this reference mentions, at any depth.
    pub fn named_ids(&self, out: &mut Vec<TypeId>) {
        match self {
            TypeRef::Named(id) => out.push(*id),
            TypeRef::Array(inner) | TypeRef::Map(inner) => inner.named_ids(out),
            _ => {}
        }
    }
}

/// The type an alias chain ends in (the type itself when it is not an alias). Bounded by the
/// number of types, so an alias cycle (reported elsewhere) cannot loop.
pub fn resolve_alias<'t>(types: &'t [TypeDef], ty: &'t TypeRef) -> &'t TypeRef {
    let mut current = ty;
    for _ in 0..types.len() {
        match current.direct_named().and_then(|id| types.get(id.0)).map(|t| &t.kind) {
            Some(TypeKind::Alias(inner)) => current = inner,
            _ => break,
        }
    }
    current
}

#[derive(Clone, Debug)]
pub struct Resource {
    /// Module and accessor name, e.g. `dataset_items`.
    pub module: String,
    /// The handle type, e.g. `DatasetItems`.
    pub type_name: String,
    pub doc: Option<String>,
    pub operations: Vec<Operation>,
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    /// Method on the resource handle, e.g. `list`.
    pub method_name: String,
    /// The request builder type, e.g. `ListDatasetItemsBuilder`.
    pub builder_name: String,
    pub http_method: HttpMethod,
    pub path: String,
    pub summary: Option<String>,
    pub doc: Option<String>,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub response: Response,
    /// Set when the operation declares `x-pagination`: it then also offers page and item streams.
    pub pagination: Option<Pagination>,
    /// Set when the operation says `deprecated: true`.
    pub deprecated: Option<String>,
    /// The operation's own `security` list, when it has one (else the API's default applies).
    pub security: Option<Security>,
    /// What the generated mock server needs beyond the client: statuses, errors and the example.
    pub mock: MockFacts,
}

/// What the mock server (the crate's `mock` feature) answers for an operation.
#[derive(Clone, Debug, Default)]
pub struct MockFacts {
    /// The first declared 2xx status: what a typed `respond` sends.
    pub success_status: u16,
    /// The example of that response's JSON body, which `MockServer::with_examples` answers with.
    pub example: Option<serde_json::Value>,
    /// The declared error responses (4xx, 5xx, `default`), in declaration order.
    pub errors: Vec<ErrorStatus>,
}

/// One declared error response of an operation.
#[derive(Clone, Debug)]
pub struct ErrorStatus {
    /// The status code; `None` for `default`, ranges such as `4XX` are skipped.
    pub code: Option<u16>,
    /// The body's type when its schema is a named component; other bodies are any JSON.
    pub ty: Option<TypeRef>,
}

/// How a cursor-paginated list operation is walked. Names are Rust field names.
#[derive(Clone, Debug)]
pub struct Pagination {
    pub page_type: TypeRef,
    pub item_type: TypeRef,
    /// The page field holding the items (a required array).
    pub items_field: String,
    /// The page field saying whether more items exist, and whether it is required.
    pub has_more_field: Option<(String, bool)>,
    /// The builder field (query parameter) that takes the cursor when walking forwards.
    pub forward_param: String,
    /// The builder field that takes the cursor when walking backwards.
    pub backward_param: Option<String>,
    /// Where an item's cursor is.
    pub cursor: Cursor,
}

/// Where a page item keeps its cursor (a required string).
#[derive(Clone, Debug)]
pub enum Cursor {
    /// In this field of the item.
    Field(String),
    /// The items are a union: the field of each member, by variant name, and the wire name for
    /// members the client does not know.
    Members {
        fields: Vec<(String, String)>,
        wire_name: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

impl HttpMethod {
    /// Every method the client can send, with its name on the wire.
    const NAMES: [(HttpMethod, &'static str); 7] = [
        (HttpMethod::Get, "GET"),
        (HttpMethod::Post, "POST"),
        (HttpMethod::Put, "PUT"),
        (HttpMethod::Patch, "PATCH"),
        (HttpMethod::Delete, "DELETE"),
        (HttpMethod::Head, "HEAD"),
        (HttpMethod::Options, "OPTIONS"),
    ];

    /// The name on the wire, e.g. `GET`.
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(method, _)| *method == self)
            .map_or("", |(_, name)| name)
    }
}

/// Parses a path item's key (`get`, `post`, …; any case). `trace` has no client method.
impl std::str::FromStr for HttpMethod {
    type Err = ();

    fn from_str(key: &str) -> Result<Self, ()> {
        Self::NAMES
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(key))
            .map(|(method, _)| *method)
            .ok_or(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

/// How a parameter's value becomes text on the wire (OpenAPI `style` and `explode`, decided per
/// type when lowering so the emitter only follows it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamEncoding {
    /// One value as text.
    Scalar,
    /// An array joined into one value: `a,b` (form or simple), `a b` (spaceDelimited), `a|b`
    /// (pipeDelimited).
    Joined(char),
    /// An array as the same query parameter repeated: `name=a&name=b` (form, exploded).
    Repeated,
    /// An object's fields as query parameters of their own: `k1=v1&k2=v2` (form, exploded).
    ObjectFields,
    /// An object's fields in one value: `k1,v1,k2,v2`, or `k1=v1,k2=v2` when exploded (simple).
    ObjectJoined { exploded: bool },
    /// An object's fields as `name[k1]=v1&name[k2]=v2` (deepObject).
    DeepObject,
    /// Anything else (a union, any JSON, an array of objects) as JSON text.
    Json,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub wire_name: String,
    pub location: ParamLocation,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
    pub encoding: ParamEncoding,
}

#[derive(Clone, Debug)]
pub enum Body {
    Json {
        ty: TypeRef,
        required: bool,
        doc: Option<String>,
    },
    Multipart {
        fields: Vec<MultipartField>,
    },
    /// `application/x-www-form-urlencoded`: the object's fields as `k=v` pairs.
    Form {
        ty: TypeRef,
        required: bool,
        doc: Option<String>,
    },
    /// Any other media type (`text/plain`, `application/octet-stream`, `*/*`, …): raw bytes sent
    /// with that content type.
    Raw {
        content_type: String,
        required: bool,
        doc: Option<String>,
    },
}

#[derive(Clone, Debug)]
pub struct MultipartField {
    pub name: String,
    pub wire_name: String,
    pub is_file: bool,
    pub required: bool,
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    Json(TypeRef),
    Bytes,
    Empty,
    /// Successes whose bodies differ by status code: one enum variant per status.
    ByStatus(Vec<StatusResponse>),
}

/// One success status of an operation whose successes differ.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusResponse {
    pub code: u16,
    /// The enum variant, e.g. `Created` for 201.
    pub variant: String,
    /// `Json`, `Bytes` or `Empty`.
    pub body: Response,
}

/// The kinds of security scheme a client can send, by how the credential is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    /// `apiKey`: the value as given.
    ApiKey,
    /// `http` bearer, `oauth2` and `openIdConnect`: `Authorization: Bearer <token>`.
    Bearer,
    /// `http` basic: `Authorization: Basic <base64 of user:password>`.
    Basic,
}

/// Where a credential is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CredentialLocation {
    Header,
    Query,
    Cookie,
}

/// The names a request builder uses for its own members: the body, its runtime and options, its
/// per-request setters, its send methods and, on list operations, its streams. Parameters are named
/// around them (lowering), and emission's test checks that every member a builder has is listed here.
/// `file` is kept free for a multipart body's file part, the usual name of one.
pub const BUILDER_MEMBERS: &[&str] = &[
    "body",
    "file",
    "runtime",
    "options",
    "timeout",
    "max_retries",
    "send",
    "send_with_response",
    "into_request",
    "pages",
    "items",
];
