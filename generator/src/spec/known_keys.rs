//! What OpenAPI 3.0.3 allows where: the fields of each object and the shape of each field's value.
//!
//! openapiv3 silently drops keys it does not know, so `nulable: true` would vanish without this table.
//! The validator walks the raw document along it (see `validate::walk_object`). One table row per
//! object, in the order of the OpenAPI 3.0.3 specification, so it can be checked against the spec by eye.

/// The OpenAPI 3.0.3 objects the validator walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    OpenApi,
    Info,
    Contact,
    License,
    Server,
    ServerVariable,
    Components,
    Paths,
    PathItem,
    Operation,
    ExternalDocs,
    Parameter,
    RequestBody,
    MediaType,
    Encoding,
    Responses,
    Response,
    Callback,
    Example,
    Link,
    Header,
    Tag,
    Schema,
    Discriminator,
    Xml,
    SecurityScheme,
    OAuthFlows,
    OAuthFlow,
    SecurityRequirement,
}

/// The value a field holds.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Any JSON value, not walked: examples, defaults, enum values, link expressions.
    Any,
    String,
    Bool,
    Number,
    /// A non-negative integer (`minLength`, `maxItems`, ...).
    Count,
    /// One string of a fixed set.
    Keyword(&'static [&'static str]),
    /// An object walked by its own table row.
    Object(Object),
    /// An object, or a Reference Object (`$ref`) to one.
    RefOr(Object),
    ListOf(&'static Shape),
    MapOf(&'static Shape),
    /// `additionalProperties`: a boolean or a schema.
    BoolOrSchema,
    /// A Schema's `type`: one of the six 3.0 type names (3.1 also allows a list, 3.0 does not).
    SchemaType,
}

/// Which keys a patterned object (Paths, Responses, Callback, Security Requirement) accepts besides its
/// fixed fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPattern {
    /// A path template; must start with `/`.
    Path,
    /// An HTTP status code (`200`) or range (`2XX`).
    StatusCode,
    /// Any key (callback expressions, security scheme names).
    Any,
}

impl KeyPattern {
    pub fn matches(self, key: &str) -> bool {
        match self {
            KeyPattern::Path => key.starts_with('/'),
            KeyPattern::StatusCode => is_status_code(key),
            KeyPattern::Any => true,
        }
    }
}

/// The rule openapiv3 applies: a number 100–999, or a digit followed by `XX` (any case). Keys that fail it
/// are dropped by openapiv3, so the validator must reject them.
fn is_status_code(key: &str) -> bool {
    match key.as_bytes() {
        [first, rest @ ..] if rest.eq_ignore_ascii_case(b"XX") => first.is_ascii_digit(),
        [first, second, third] => (b'1'..=b'9').contains(first) && second.is_ascii_digit() && third.is_ascii_digit(),
        _ => false,
    }
}

/// One row of the table.
#[derive(Debug)]
pub struct ObjectSpec {
    /// The name the OpenAPI specification uses, for messages: "Schema Object".
    pub name: &'static str,
    pub fields: &'static [(&'static str, Shape)],
    pub required: &'static [&'static str],
    pub patterned: Option<(KeyPattern, Shape)>,
}

impl ObjectSpec {
    pub fn field(&self, key: &str) -> Option<Shape> {
        self.fields
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, shape)| *shape)
    }

    pub fn field_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|(name, _)| *name)
    }
}

const STRING: Shape = Shape::String;
const BOOL: Shape = Shape::Bool;
const NUMBER: Shape = Shape::Number;
const COUNT: Shape = Shape::Count;
const ANY: Shape = Shape::Any;
const STRING_LIST: Shape = Shape::ListOf(&Shape::String);
const A_SCHEMA: Shape = Shape::RefOr(Object::Schema);
const SCHEMA_MAP: Shape = Shape::MapOf(&A_SCHEMA);

pub const SCHEMA_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];
/// Schema keywords that only fit some types, as openapiv3 decides when it picks a typed schema.
pub const TYPE_SPECIFIC_KEYWORDS: &[(&str, &[&str])] = &[
    ("pattern", &["string"]),
    ("minLength", &["string"]),
    ("maxLength", &["string"]),
    ("format", &["string", "number", "integer"]),
    ("multipleOf", &["number", "integer"]),
    ("minimum", &["number", "integer"]),
    ("maximum", &["number", "integer"]),
    ("exclusiveMinimum", &["number", "integer"]),
    ("exclusiveMaximum", &["number", "integer"]),
    ("properties", &["object"]),
    ("required", &["object"]),
    ("additionalProperties", &["object"]),
    ("minProperties", &["object"]),
    ("maxProperties", &["object"]),
    ("items", &["array"]),
    ("minItems", &["array"]),
    ("maxItems", &["array"]),
    ("uniqueItems", &["array"]),
    ("enum", &["string", "number", "integer", "boolean"]),
];
pub const PARAMETER_LOCATIONS: &[&str] = &["query", "header", "path", "cookie"];
pub const PARAMETER_STYLES: &[&str] = &[
    "matrix",
    "label",
    "form",
    "simple",
    "spaceDelimited",
    "pipeDelimited",
    "deepObject",
];
pub const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

pub fn object_spec(object: Object) -> &'static ObjectSpec {
    match object {
        Object::OpenApi => &OPENAPI,
        Object::Info => &INFO,
        Object::Contact => &CONTACT,
        Object::License => &LICENSE,
        Object::Server => &SERVER,
        Object::ServerVariable => &SERVER_VARIABLE,
        Object::Components => &COMPONENTS,
        Object::Paths => &PATHS,
        Object::PathItem => &PATH_ITEM,
        Object::Operation => &OPERATION,
        Object::ExternalDocs => &EXTERNAL_DOCS,
        Object::Parameter => &PARAMETER,
        Object::RequestBody => &REQUEST_BODY,
        Object::MediaType => &MEDIA_TYPE,
        Object::Encoding => &ENCODING,
        Object::Responses => &RESPONSES,
        Object::Response => &RESPONSE,
        Object::Callback => &CALLBACK,
        Object::Example => &EXAMPLE,
        Object::Link => &LINK,
        Object::Header => &HEADER,
        Object::Tag => &TAG,
        Object::Schema => &SCHEMA,
        Object::Discriminator => &DISCRIMINATOR,
        Object::Xml => &XML,
        Object::SecurityScheme => &SECURITY_SCHEME,
        Object::OAuthFlows => &OAUTH_FLOWS,
        Object::OAuthFlow => &OAUTH_FLOW,
        Object::SecurityRequirement => &SECURITY_REQUIREMENT,
    }
}

/// The object a `$ref` into `#/components/<section>/<name>` must point at.
pub fn component_section(section: &str) -> Option<Object> {
    let object = match section {
        "schemas" => Object::Schema,
        "responses" => Object::Response,
        "parameters" => Object::Parameter,
        "examples" => Object::Example,
        "requestBodies" => Object::RequestBody,
        "headers" => Object::Header,
        "securitySchemes" => Object::SecurityScheme,
        "links" => Object::Link,
        "callbacks" => Object::Callback,
        _ => return None,
    };
    Some(object)
}

static OPENAPI: ObjectSpec = ObjectSpec {
    name: "OpenAPI Object",
    fields: &[
        ("openapi", STRING),
        ("info", Shape::Object(Object::Info)),
        ("servers", Shape::ListOf(&Shape::Object(Object::Server))),
        ("paths", Shape::Object(Object::Paths)),
        ("components", Shape::Object(Object::Components)),
        ("security", Shape::ListOf(&Shape::Object(Object::SecurityRequirement))),
        ("tags", Shape::ListOf(&Shape::Object(Object::Tag))),
        ("externalDocs", Shape::Object(Object::ExternalDocs)),
    ],
    required: &["openapi", "info", "paths"],
    patterned: None,
};

static INFO: ObjectSpec = ObjectSpec {
    name: "Info Object",
    fields: &[
        ("title", STRING),
        ("description", STRING),
        ("termsOfService", STRING),
        ("contact", Shape::Object(Object::Contact)),
        ("license", Shape::Object(Object::License)),
        ("version", STRING),
    ],
    required: &["title", "version"],
    patterned: None,
};

static CONTACT: ObjectSpec = ObjectSpec {
    name: "Contact Object",
    fields: &[("name", STRING), ("url", STRING), ("email", STRING)],
    required: &[],
    patterned: None,
};

static LICENSE: ObjectSpec = ObjectSpec {
    name: "License Object",
    fields: &[("name", STRING), ("url", STRING)],
    required: &["name"],
    patterned: None,
};

static SERVER: ObjectSpec = ObjectSpec {
    name: "Server Object",
    fields: &[
        ("url", STRING),
        ("description", STRING),
        ("variables", Shape::MapOf(&Shape::Object(Object::ServerVariable))),
    ],
    required: &["url"],
    patterned: None,
};

static SERVER_VARIABLE: ObjectSpec = ObjectSpec {
    name: "Server Variable Object",
    fields: &[("enum", STRING_LIST), ("default", STRING), ("description", STRING)],
    required: &["default"],
    patterned: None,
};

static COMPONENTS: ObjectSpec = ObjectSpec {
    name: "Components Object",
    fields: &[
        ("schemas", Shape::MapOf(&Shape::RefOr(Object::Schema))),
        ("responses", Shape::MapOf(&Shape::RefOr(Object::Response))),
        ("parameters", Shape::MapOf(&Shape::RefOr(Object::Parameter))),
        ("examples", Shape::MapOf(&Shape::RefOr(Object::Example))),
        ("requestBodies", Shape::MapOf(&Shape::RefOr(Object::RequestBody))),
        ("headers", Shape::MapOf(&Shape::RefOr(Object::Header))),
        ("securitySchemes", Shape::MapOf(&Shape::RefOr(Object::SecurityScheme))),
        ("links", Shape::MapOf(&Shape::RefOr(Object::Link))),
        ("callbacks", Shape::MapOf(&Shape::RefOr(Object::Callback))),
    ],
    required: &[],
    patterned: None,
};

static PATHS: ObjectSpec = ObjectSpec {
    name: "Paths Object",
    fields: &[],
    required: &[],
    patterned: Some((KeyPattern::Path, Shape::RefOr(Object::PathItem))),
};

static PATH_ITEM: ObjectSpec = ObjectSpec {
    name: "Path Item Object",
    fields: &[
        ("summary", STRING),
        ("description", STRING),
        ("get", Shape::Object(Object::Operation)),
        ("put", Shape::Object(Object::Operation)),
        ("post", Shape::Object(Object::Operation)),
        ("delete", Shape::Object(Object::Operation)),
        ("options", Shape::Object(Object::Operation)),
        ("head", Shape::Object(Object::Operation)),
        ("patch", Shape::Object(Object::Operation)),
        ("trace", Shape::Object(Object::Operation)),
        ("servers", Shape::ListOf(&Shape::Object(Object::Server))),
        ("parameters", Shape::ListOf(&Shape::RefOr(Object::Parameter))),
    ],
    required: &[],
    patterned: None,
};

static OPERATION: ObjectSpec = ObjectSpec {
    name: "Operation Object",
    fields: &[
        ("tags", STRING_LIST),
        ("summary", STRING),
        ("description", STRING),
        ("externalDocs", Shape::Object(Object::ExternalDocs)),
        ("operationId", STRING),
        ("parameters", Shape::ListOf(&Shape::RefOr(Object::Parameter))),
        ("requestBody", Shape::RefOr(Object::RequestBody)),
        ("responses", Shape::Object(Object::Responses)),
        ("callbacks", Shape::MapOf(&Shape::RefOr(Object::Callback))),
        ("deprecated", BOOL),
        ("security", Shape::ListOf(&Shape::Object(Object::SecurityRequirement))),
        ("servers", Shape::ListOf(&Shape::Object(Object::Server))),
    ],
    required: &["responses"],
    patterned: None,
};

static EXTERNAL_DOCS: ObjectSpec = ObjectSpec {
    name: "External Documentation Object",
    fields: &[("description", STRING), ("url", STRING)],
    required: &["url"],
    patterned: None,
};

static PARAMETER: ObjectSpec = ObjectSpec {
    name: "Parameter Object",
    fields: &[
        ("name", STRING),
        ("in", Shape::Keyword(PARAMETER_LOCATIONS)),
        ("description", STRING),
        ("required", BOOL),
        ("deprecated", BOOL),
        ("allowEmptyValue", BOOL),
        ("style", Shape::Keyword(PARAMETER_STYLES)),
        ("explode", BOOL),
        ("allowReserved", BOOL),
        ("schema", Shape::RefOr(Object::Schema)),
        ("example", ANY),
        ("examples", Shape::MapOf(&Shape::RefOr(Object::Example))),
        ("content", Shape::MapOf(&Shape::Object(Object::MediaType))),
    ],
    required: &["name", "in"],
    patterned: None,
};

static REQUEST_BODY: ObjectSpec = ObjectSpec {
    name: "Request Body Object",
    fields: &[
        ("description", STRING),
        ("content", Shape::MapOf(&Shape::Object(Object::MediaType))),
        ("required", BOOL),
    ],
    required: &["content"],
    patterned: None,
};

static MEDIA_TYPE: ObjectSpec = ObjectSpec {
    name: "Media Type Object",
    fields: &[
        ("schema", Shape::RefOr(Object::Schema)),
        ("example", ANY),
        ("examples", Shape::MapOf(&Shape::RefOr(Object::Example))),
        ("encoding", Shape::MapOf(&Shape::Object(Object::Encoding))),
    ],
    required: &[],
    patterned: None,
};

static ENCODING: ObjectSpec = ObjectSpec {
    name: "Encoding Object",
    fields: &[
        ("contentType", STRING),
        ("headers", Shape::MapOf(&Shape::RefOr(Object::Header))),
        (
            "style",
            Shape::Keyword(&["form", "spaceDelimited", "pipeDelimited", "deepObject"]),
        ),
        ("explode", BOOL),
        ("allowReserved", BOOL),
    ],
    required: &[],
    patterned: None,
};

static RESPONSES: ObjectSpec = ObjectSpec {
    name: "Responses Object",
    fields: &[("default", Shape::RefOr(Object::Response))],
    required: &[],
    patterned: Some((KeyPattern::StatusCode, Shape::RefOr(Object::Response))),
};

static RESPONSE: ObjectSpec = ObjectSpec {
    name: "Response Object",
    fields: &[
        ("description", STRING),
        ("headers", Shape::MapOf(&Shape::RefOr(Object::Header))),
        ("content", Shape::MapOf(&Shape::Object(Object::MediaType))),
        ("links", Shape::MapOf(&Shape::RefOr(Object::Link))),
    ],
    required: &["description"],
    patterned: None,
};

static CALLBACK: ObjectSpec = ObjectSpec {
    name: "Callback Object",
    fields: &[],
    required: &[],
    patterned: Some((KeyPattern::Any, Shape::RefOr(Object::PathItem))),
};

static EXAMPLE: ObjectSpec = ObjectSpec {
    name: "Example Object",
    fields: &[
        ("summary", STRING),
        ("description", STRING),
        ("value", ANY),
        ("externalValue", STRING),
    ],
    required: &[],
    patterned: None,
};

static LINK: ObjectSpec = ObjectSpec {
    name: "Link Object",
    fields: &[
        ("operationRef", STRING),
        ("operationId", STRING),
        ("parameters", Shape::MapOf(&ANY)),
        ("requestBody", ANY),
        ("description", STRING),
        ("server", Shape::Object(Object::Server)),
    ],
    required: &[],
    patterned: None,
};

static HEADER: ObjectSpec = ObjectSpec {
    name: "Header Object",
    fields: &[
        ("description", STRING),
        ("required", BOOL),
        ("deprecated", BOOL),
        ("allowEmptyValue", BOOL),
        ("style", Shape::Keyword(&["simple"])),
        ("explode", BOOL),
        ("allowReserved", BOOL),
        ("schema", Shape::RefOr(Object::Schema)),
        ("example", ANY),
        ("examples", Shape::MapOf(&Shape::RefOr(Object::Example))),
        ("content", Shape::MapOf(&Shape::Object(Object::MediaType))),
    ],
    required: &[],
    patterned: None,
};

static TAG: ObjectSpec = ObjectSpec {
    name: "Tag Object",
    fields: &[
        ("name", STRING),
        ("description", STRING),
        ("externalDocs", Shape::Object(Object::ExternalDocs)),
    ],
    required: &["name"],
    patterned: None,
};

static SCHEMA: ObjectSpec = ObjectSpec {
    name: "Schema Object",
    fields: &[
        ("title", STRING),
        ("multipleOf", NUMBER),
        ("maximum", NUMBER),
        ("exclusiveMaximum", BOOL),
        ("minimum", NUMBER),
        ("exclusiveMinimum", BOOL),
        ("maxLength", COUNT),
        ("minLength", COUNT),
        ("pattern", STRING),
        ("maxItems", COUNT),
        ("minItems", COUNT),
        ("uniqueItems", BOOL),
        ("maxProperties", COUNT),
        ("minProperties", COUNT),
        ("required", STRING_LIST),
        ("enum", Shape::ListOf(&ANY)),
        ("type", Shape::SchemaType),
        ("allOf", Shape::ListOf(&Shape::RefOr(Object::Schema))),
        ("oneOf", Shape::ListOf(&Shape::RefOr(Object::Schema))),
        ("anyOf", Shape::ListOf(&Shape::RefOr(Object::Schema))),
        ("not", Shape::RefOr(Object::Schema)),
        ("items", Shape::RefOr(Object::Schema)),
        ("properties", Shape::MapOf(&Shape::RefOr(Object::Schema))),
        ("additionalProperties", Shape::BoolOrSchema),
        ("description", STRING),
        ("format", STRING),
        ("default", ANY),
        ("nullable", BOOL),
        ("discriminator", Shape::Object(Object::Discriminator)),
        ("readOnly", BOOL),
        ("writeOnly", BOOL),
        ("xml", Shape::Object(Object::Xml)),
        ("externalDocs", Shape::Object(Object::ExternalDocs)),
        ("example", ANY),
        ("deprecated", BOOL),
    ],
    required: &[],
    patterned: None,
};

static DISCRIMINATOR: ObjectSpec = ObjectSpec {
    name: "Discriminator Object",
    fields: &[("propertyName", STRING), ("mapping", Shape::MapOf(&STRING))],
    required: &["propertyName"],
    patterned: None,
};

static XML: ObjectSpec = ObjectSpec {
    name: "XML Object",
    fields: &[
        ("name", STRING),
        ("namespace", STRING),
        ("prefix", STRING),
        ("attribute", BOOL),
        ("wrapped", BOOL),
    ],
    required: &[],
    patterned: None,
};

static SECURITY_SCHEME: ObjectSpec = ObjectSpec {
    name: "Security Scheme Object",
    fields: &[
        ("type", Shape::Keyword(&["apiKey", "http", "oauth2", "openIdConnect"])),
        ("description", STRING),
        ("name", STRING),
        ("in", Shape::Keyword(&["query", "header", "cookie"])),
        ("scheme", STRING),
        ("bearerFormat", STRING),
        ("flows", Shape::Object(Object::OAuthFlows)),
        ("openIdConnectUrl", STRING),
    ],
    required: &["type"],
    patterned: None,
};

static OAUTH_FLOWS: ObjectSpec = ObjectSpec {
    name: "OAuth Flows Object",
    fields: &[
        ("implicit", Shape::Object(Object::OAuthFlow)),
        ("password", Shape::Object(Object::OAuthFlow)),
        ("clientCredentials", Shape::Object(Object::OAuthFlow)),
        ("authorizationCode", Shape::Object(Object::OAuthFlow)),
    ],
    required: &[],
    patterned: None,
};

static OAUTH_FLOW: ObjectSpec = ObjectSpec {
    name: "OAuth Flow Object",
    fields: &[
        ("authorizationUrl", STRING),
        ("tokenUrl", STRING),
        ("refreshUrl", STRING),
        ("scopes", Shape::MapOf(&STRING)),
    ],
    required: &["scopes"],
    patterned: None,
};

static SECURITY_REQUIREMENT: ObjectSpec = ObjectSpec {
    name: "Security Requirement Object",
    fields: &[],
    required: &[],
    patterned: Some((KeyPattern::Any, STRING_LIST)),
};

/// JSON Schema keywords that OpenAPI 3.0's Schema Object does not have (most arrived with 3.1), with the
/// shape of their value and what to write in 3.0 instead. In a 3.0 document they are not typos, so they
/// get a warning with that advice, not an "unknown key" error; a 3.1 document is translated first
/// (`spec::v31`), which reads each of them by this shape and leaves none behind.
pub const SCHEMA_KEYWORDS_NOT_IN_3_0: &[(&str, Shape, &str)] = &[
    ("const", ANY, "use `enum: [value]` in OpenAPI 3.0"),
    ("examples", ANY, "use `example` (one value) in an OpenAPI 3.0 schema"),
    ("$schema", STRING, ""),
    ("$id", STRING, ""),
    ("$defs", SCHEMA_MAP, "put shared schemas under `#/components/schemas`"),
    (
        "definitions",
        SCHEMA_MAP,
        "put shared schemas under `#/components/schemas`",
    ),
    ("$comment", STRING, "use `description`, or a YAML comment"),
    ("$anchor", STRING, ""),
    ("$dynamicRef", STRING, ""),
    ("$dynamicAnchor", STRING, ""),
    ("$vocabulary", ANY, ""),
    ("prefixItems", Shape::ListOf(&A_SCHEMA), ""),
    ("contains", A_SCHEMA, ""),
    ("minContains", COUNT, ""),
    ("maxContains", COUNT, ""),
    ("if", A_SCHEMA, ""),
    ("then", A_SCHEMA, ""),
    ("else", A_SCHEMA, ""),
    ("dependentRequired", ANY, ""),
    ("dependentSchemas", SCHEMA_MAP, ""),
    ("dependencies", ANY, ""),
    (
        "patternProperties",
        SCHEMA_MAP,
        "use `additionalProperties` with a schema for a map",
    ),
    ("propertyNames", A_SCHEMA, ""),
    ("unevaluatedProperties", Shape::BoolOrSchema, ""),
    ("unevaluatedItems", Shape::BoolOrSchema, ""),
    ("contentMediaType", STRING, ""),
    ("contentEncoding", STRING, "use `format: byte` or `format: binary`"),
    ("contentSchema", A_SCHEMA, ""),
];

/// Fields that OpenAPI 3.1 added to objects other than the Schema Object: unknown keys in a 3.0
/// document (with a message that says so), read by the 3.1 translation (`spec::v31`) in a 3.1 one.
pub const FIELDS_ADDED_IN_3_1: &[(Object, &str, Shape)] = &[
    (
        Object::OpenApi,
        "webhooks",
        Shape::MapOf(&Shape::RefOr(Object::PathItem)),
    ),
    (Object::OpenApi, "jsonSchemaDialect", STRING),
    (Object::Info, "summary", STRING),
    (Object::License, "identifier", STRING),
    (
        Object::Components,
        "pathItems",
        Shape::MapOf(&Shape::RefOr(Object::PathItem)),
    ),
];

/// The shape of a field that only OpenAPI 3.1 has (see the two tables above).
pub fn field_added_in_3_1(object: Object, key: &str) -> Option<Shape> {
    if object == Object::Schema {
        return SCHEMA_KEYWORDS_NOT_IN_3_0
            .iter()
            .find(|(word, _, _)| *word == key)
            .map(|(_, shape, _)| *shape);
    }
    FIELDS_ADDED_IN_3_1
        .iter()
        .find(|(owner, word, _)| *owner == object && *word == key)
        .map(|(_, _, shape)| *shape)
}

/// The allowed key closest to a mistyped `key`, if one is close enough to be what was meant.
///
/// Uses optimal-string-alignment distance (a swap of neighbours counts once, so `requried` is one edit
/// from `required`), case-insensitively, allowing about one edit per three characters.
pub fn suggest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // A long key is no typo of a short one; the bound also keeps the quadratic distance cheap.
    if key.len() > 64 {
        return None;
    }
    let key_lower = key.to_ascii_lowercase();
    let budget = (key.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&key_lower, &candidate.to_ascii_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= budget)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j] is the distance between a[..i] and b[..j]; every index below stays within 0..=len.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("nulable", "nullable"), 1);
        assert_eq!(edit_distance("requried", "required"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("ca", "abc"), 3);
    }

    #[test]
    fn suggestions() {
        let schema = object_spec(Object::Schema);
        assert_eq!(suggest("nulable", schema.field_names()), Some("nullable"));
        assert_eq!(suggest("requried", schema.field_names()), Some("required"));
        assert_eq!(suggest("ReadOnly", schema.field_names()), Some("readOnly"));
        assert_eq!(suggest("colour", schema.field_names()), None);
        let operation = object_spec(Object::Operation);
        assert_eq!(suggest("operationID", operation.field_names()), Some("operationId"));
    }

    #[test]
    fn status_codes() {
        for good in ["200", "404", "2XX", "5xx", "999"] {
            assert!(is_status_code(good), "{good}");
        }
        for bad in ["20O", "2000", "099", "X2X", "", "default"] {
            assert!(!is_status_code(bad), "{bad}");
        }
    }
}
