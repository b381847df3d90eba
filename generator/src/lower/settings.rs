//! API-wide settings: the crate's name, version and description from `x-codegen` and `info`,
//! the base URL from `servers`, and the credentials from the security schemes.

use std::collections::BTreeSet;

use openapiv3::{APIKeyLocation, OpenAPI, SecurityRequirement, SecurityScheme};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::model::{Credential, CredentialKind, CredentialLocation, Resource, Security, Settings};
use crate::naming;
use crate::spec::pointer;

/// What Cargo accepts as a package name (its rules, simplified to ASCII).
fn is_crate_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `1.2.3`, optionally with a `-pre` or `+build` suffix of safe characters.
fn is_version(version: &str) -> bool {
    let (core, suffix) = match version.find(['-', '+']) {
        Some(at) => version.split_at(at),
        None => (version, ""),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        && suffix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
}

/// Reads `x-codegen`, `info`, `servers`, the security schemes and the root `security` list.
pub fn lower_settings(openapi: &OpenAPI, diagnostics: &mut Vec<Diagnostic>) -> Settings {
    let codegen = openapi.extensions.get("x-codegen");
    let setting = |key: &str| {
        codegen
            .and_then(|c| c.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let crate_name = match setting("crate-name") {
        Some(name) if is_crate_name(&name) => name,
        Some(name) => {
            diagnostics.push(Diagnostic::error(
                "#/x-codegen/crate-name",
                format!("`{name}` is not a valid crate name: use ASCII letters, digits, `-` and `_`, starting with a letter"),
            ));
            "invalid-crate-name".to_owned()
        }
        None => {
            let mut fallback = naming::module_name(&openapi.info.title).replace('_', "-");
            if !is_crate_name(&fallback) {
                fallback = format!("api-{}", fallback.trim_start_matches('-'));
            }
            diagnostics.push(Diagnostic::warning(
                "#",
                format!("no `x-codegen: crate-name`; using `{fallback}` from the title"),
            ));
            fallback
        }
    };
    let crate_version = setting("crate-version").unwrap_or_else(|| "0.1.0".to_owned());
    if !is_version(&crate_version) {
        diagnostics.push(Diagnostic::error(
            "#/x-codegen/crate-version",
            format!("`{crate_version}` is not a version Cargo accepts (MAJOR.MINOR.PATCH)"),
        ));
    }
    let default_base_url = openapi.servers.first().map(|s| s.url.clone()).unwrap_or_else(|| {
        diagnostics.push(Diagnostic::warning(
            "#/servers",
            "no server URL; the client needs `.base_url(..)`",
        ));
        String::new()
    });
    let credentials = lower_credentials(openapi, diagnostics);
    Settings {
        crate_version,
        crate_description: setting("crate-description").unwrap_or_else(|| format!("Client for {}", openapi.info.title)),
        crate_name,
        api_description: openapi.info.description.clone(),
        default_base_url,
        base_url_env: setting("base-url-env"),
        default_security: default_security(openapi, &credentials, diagnostics),
        credentials,
    }
}

/// The requirements of operations without their own `security` list. A document with schemes
/// but no `security` list anywhere most often forgot the list rather than meant "no
/// authentication", so each scheme the client can send is offered as an optional alternative
/// (sent when set, in declaration order; nothing and no error when none is), with a warning. A
/// root list, even `[]`, is taken as written, and so is its absence when operations have lists
/// of their own (FastAPI writes them so): the others need nothing.
fn default_security(openapi: &OpenAPI, credentials: &[Credential], diagnostics: &mut Vec<Diagnostic>) -> Security {
    if let Some(list) = &openapi.security {
        return lower_security(openapi, list, "#/security", diagnostics);
    }
    let operations_have_lists = openapi
        .operations()
        .any(|(_, _, operation)| operation.security.is_some());
    if credentials.is_empty() || operations_have_lists {
        return Security::new();
    }
    diagnostics.push(Diagnostic::warning(
        "#",
        "no `security` list anywhere: every security scheme is optional, sent when set (add a list to require one)",
    ));
    let mut security: Security = credentials.iter().map(|c| vec![c.scheme.clone()]).collect();
    security.push(Vec::new());
    security
}

fn lower_credentials(openapi: &OpenAPI, diagnostics: &mut Vec<Diagnostic>) -> Vec<Credential> {
    let Some(components) = &openapi.components else {
        return Vec::new();
    };
    let mut credentials = Vec::new();
    for (key, scheme) in &components.security_schemes {
        let pointer = pointer::join("#/components/securitySchemes", key);
        let Some(scheme) = scheme.as_item() else {
            diagnostics.push(Diagnostic::warning(
                pointer,
                "a security scheme `$ref` is not followed; skipped",
            ));
            continue;
        };
        match sendable(scheme) {
            Ok(target) => credentials.push(credential(key, target, scheme)),
            Err(why) => diagnostics.push(Diagnostic::warning(pointer, format!("{why}; skipped"))),
        }
    }
    credentials
}

/// How a scheme the client can send is sent: how the value is written, where, and in which
/// header, query parameter or cookie.
struct Target {
    kind: CredentialKind,
    location: CredentialLocation,
    parameter: String,
}

/// Where `scheme`'s credential goes, or why this client cannot send it.
fn sendable(scheme: &SecurityScheme) -> Result<Target, String> {
    let authorization = |kind| Target {
        kind,
        location: CredentialLocation::Header,
        parameter: "authorization".to_owned(),
    };
    match scheme {
        SecurityScheme::APIKey { location, name, .. } => Ok(Target {
            kind: CredentialKind::ApiKey,
            location: match location {
                APIKeyLocation::Header => CredentialLocation::Header,
                APIKeyLocation::Query => CredentialLocation::Query,
                APIKeyLocation::Cookie => CredentialLocation::Cookie,
            },
            parameter: name.clone(),
        }),
        SecurityScheme::HTTP { scheme: http, .. } => match http.to_ascii_lowercase().as_str() {
            "bearer" => Ok(authorization(CredentialKind::Bearer)),
            "basic" => Ok(authorization(CredentialKind::Basic)),
            other => Err(format!(
                "HTTP `{other}` authentication is not supported (bearer and basic are)"
            )),
        },
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => {
            Ok(authorization(CredentialKind::Bearer))
        }
    }
}

/// One credential from its scheme: the setter from the key or `x-rust-name`, `x-env-var`, and
/// docs that say what the value is.
fn credential(key: &str, target: Target, scheme: &SecurityScheme) -> Credential {
    let (description, extensions) = match scheme {
        SecurityScheme::APIKey {
            description,
            extensions,
            ..
        }
        | SecurityScheme::HTTP {
            description,
            extensions,
            ..
        }
        | SecurityScheme::OAuth2 {
            description,
            extensions,
            ..
        }
        | SecurityScheme::OpenIDConnect {
            description,
            extensions,
            ..
        } => (description.as_deref(), extensions),
    };
    let note = match scheme {
        SecurityScheme::HTTP {
            bearer_format: Some(format),
            ..
        } => Some(format!("The token is a {format}.")),
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => Some(
            "An access token the caller obtains (this client does not run OAuth 2 or OpenID Connect flows).".to_owned(),
        ),
        _ => None,
    };
    let doc = match (description, note) {
        (Some(text), Some(note)) => Some(format!("{text}\n\n{note}")),
        (text, note) => note.or(text.map(str::to_owned)),
    };
    let setter = extensions
        .get("x-rust-name")
        .and_then(Value::as_str)
        .map_or_else(|| naming::field_name(key), naming::field_name);
    Credential {
        scheme: key.to_owned(),
        kind: target.kind,
        location: target.location,
        parameter: target.parameter,
        setter,
        env_var: extensions.get("x-env-var").and_then(Value::as_str).map(str::to_owned),
        doc,
        // Decided once the operations are known: `settle_credentials`.
        required_by_every_operation: false,
    }
}

/// A `security` list (at `pointer`) as the client sends it. An alternative that names a scheme the
/// client cannot send can never be met: it is dropped with a warning, and when none is left the
/// operations it applies to are sent without credentials (the caller can add them with
/// `default_header`). Two schemes of one alternative in the same place are warned about: the first
/// is sent.
pub(crate) fn lower_security(
    openapi: &OpenAPI,
    list: &[SecurityRequirement],
    pointer: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Security {
    let schemes = openapi.components.as_ref().map(|c| &c.security_schemes);
    let mut security = Vec::new();
    for (index, requirement) in list.iter().enumerate() {
        let alternative_pointer = pointer::join(pointer, &index.to_string());
        let mut targets = Vec::new();
        let mut unsendable = None;
        for name in requirement.keys() {
            let scheme = schemes.and_then(|s| s.get(name)).and_then(|s| s.as_item());
            match scheme.map(sendable) {
                Some(Ok(target)) => targets.push((name.clone(), target)),
                _ => unsendable = Some(name),
            }
        }
        if let Some(name) = unsendable {
            diagnostics.push(Diagnostic::warning(
                alternative_pointer,
                format!("this alternative needs `{name}`, which the client cannot send; it is never used"),
            ));
            continue;
        }
        let mut places = BTreeSet::new();
        for (name, target) in &targets {
            if !places.insert((target.location, target.parameter.to_ascii_lowercase())) {
                diagnostics.push(Diagnostic::warning(
                    alternative_pointer.clone(),
                    format!(
                        "`{name}` goes where another scheme of this alternative goes (`{}`); only the first is sent",
                        target.parameter
                    ),
                ));
            }
        }
        security.push(targets.into_iter().map(|(name, _)| name).collect());
    }
    if security.is_empty() && !list.is_empty() {
        diagnostics.push(Diagnostic::warning(
            pointer,
            "no alternative can be sent by the client; requests go without credentials (add them with `default_header`)",
        ));
    }
    security
}

/// Settles the credentials once the operations are known. One that no `security` list names
/// would never be sent: it gets no setter, with a warning (a setter without effect would only
/// mislead). One that every operation requires (in each of its alternatives) is marked, and the
/// client's `build` checks it, so that a client that could call nothing fails at startup.
pub(crate) fn settle_credentials(settings: &mut Settings, resources: &[Resource], diagnostics: &mut Vec<Diagnostic>) {
    let operations = || resources.iter().flat_map(|r| &r.operations);
    let named: BTreeSet<&String> = operations()
        .filter_map(|op| op.security.as_ref())
        .chain([&settings.default_security])
        .flatten()
        .flatten()
        .collect();
    settings.credentials.retain(|credential| {
        let used = named.contains(&credential.scheme);
        if !used {
            diagnostics.push(Diagnostic::warning(
                pointer::join("#/components/securitySchemes", &credential.scheme),
                "no `security` list names this scheme, so no request would send it; skipped \
                 (name it in the root `security` list to get a setter)",
            ));
        }
        used
    });
    if operations().next().is_none() {
        return;
    }
    let requirements: Vec<&Security> = operations()
        .map(|op| op.security.as_ref().unwrap_or(&settings.default_security))
        .collect();
    for credential in &mut settings.credentials {
        credential.required_by_every_operation = requirements.iter().all(|security| {
            !security.is_empty()
                && security
                    .iter()
                    .all(|alternative| alternative.contains(&credential.scheme))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_and_versions_are_checked() {
        assert!(is_crate_name("sgp-evals"));
        assert!(!is_crate_name("1abc"));
        assert!(!is_crate_name("a b"));
        assert!(is_version("0.1.0"));
        assert!(is_version("5.0.0-a11"));
        assert!(!is_version("5.0"));
        assert!(!is_version("1.0.0 beta"));
    }

    /// The credentials with `required_by_every_operation`, and each operation's own list.
    fn lowered_security(yaml: &str) -> (Vec<String>, Vec<(String, Option<Security>)>) {
        let openapi: OpenAPI = serde_yaml::from_str(yaml).unwrap();
        let (model, _) = crate::lower::lower(&openapi, None);
        let required = model
            .settings
            .credentials
            .iter()
            .filter(|c| c.required_by_every_operation)
            .map(|c| c.scheme.clone())
            .collect();
        let operations = model
            .resources
            .iter()
            .flat_map(|r| &r.operations)
            .map(|op| (op.id.clone(), op.security.clone()))
            .collect();
        (required, operations)
    }

    const SCHEMES: &str = r#"
components:
  securitySchemes:
    a: {type: apiKey, in: header, name: x-a}
    b: {type: apiKey, in: query, name: b}
    c: {type: http, scheme: bearer}
    d: {type: http, scheme: digest}
"#;

    #[test]
    fn a_credential_is_required_by_build_only_when_every_alternative_of_every_operation_names_it() {
        let paths = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
security: [{a: [], b: []}]
paths:
  /x:
    get: {operationId: inherits, responses: {'204': {description: ok}}}
  /y:
    get:
      operationId: own
      security: [{a: [], c: []}, {a: []}]
      responses: {'204': {description: ok}}
"#;
        let (required, operations) = lowered_security(&format!("{paths}{SCHEMES}"));
        assert_eq!(required, ["a"]);
        let own = vec![vec!["a".to_owned(), "c".to_owned()], vec!["a".to_owned()]];
        assert_eq!(
            operations,
            [("inherits".to_owned(), None), ("own".to_owned(), Some(own))]
        );

        let public = paths.replace("operationId: own", "operationId: own\n      security: []");
        let public = public.replace("      security: [{a: [], c: []}, {a: []}]\n", "");
        let (required, operations) = lowered_security(&format!("{public}{SCHEMES}"));
        assert_eq!(required, Vec::<String>::new(), "one operation requires nothing");
        assert_eq!(operations[1], ("own".to_owned(), Some(Vec::new())));
    }

    #[test]
    fn a_scheme_no_security_list_names_gets_no_setter() {
        let yaml = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
security: []
paths:
  /x:
    get:
      operationId: own
      security: [{c: []}]
      responses: {'204': {description: ok}}
  /y:
    get: {operationId: public, responses: {'204': {description: ok}}}
"#;
        // With an empty root list, and without one where operations have their own (as FastAPI
        // writes them): either way `public` needs nothing and only `c` is ever sent.
        for yaml in [yaml.to_owned(), yaml.replace("security: []\n", "")] {
            let openapi: OpenAPI = serde_yaml::from_str(&format!("{yaml}{SCHEMES}")).unwrap();
            let (model, diagnostics) = crate::lower::lower(&openapi, None);
            let schemes: Vec<&str> = model.settings.credentials.iter().map(|c| c.scheme.as_str()).collect();
            assert_eq!(schemes, ["c"], "{yaml}");
            assert_eq!(model.settings.default_security, Security::new(), "{yaml}");
            let skipped: Vec<&str> = diagnostics
                .iter()
                .filter(|d| d.message.starts_with("no `security` list names this scheme"))
                .map(|d| d.pointer.as_str())
                .collect();
            assert_eq!(
                skipped,
                ["#/components/securitySchemes/a", "#/components/securitySchemes/b"],
                "{yaml}"
            );
        }
    }

    #[test]
    fn without_a_root_list_every_sendable_scheme_is_optional() {
        let yaml = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /x:
    get: {operationId: inherits, responses: {'204': {description: ok}}}
"#;
        let openapi: OpenAPI = serde_yaml::from_str(&format!("{yaml}{SCHEMES}")).unwrap();
        let (model, diagnostics) = crate::lower::lower(&openapi, None);
        let schemes: Vec<&str> = model.settings.credentials.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["a", "b", "c"], "digest cannot be sent");
        let optional: Security = vec![vec!["a".into()], vec!["b".into()], vec!["c".into()], vec![]];
        assert_eq!(model.settings.default_security, optional);
        assert!(model
            .settings
            .credentials
            .iter()
            .all(|c| !c.required_by_every_operation));
        assert!(diagnostics
            .iter()
            .any(|d| d.pointer == "#" && d.message.starts_with("no `security` list anywhere")));
    }

    #[test]
    fn alternatives_the_client_cannot_send_are_dropped() {
        let yaml = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /y:
    get:
      operationId: own
      security: [{d: []}, {c: [], d: []}, {c: []}]
      responses: {'204': {description: ok}}
"#;
        let (_, operations) = lowered_security(&format!("{yaml}{SCHEMES}"));
        assert_eq!(operations[0].1, Some(vec![vec!["c".to_owned()]]));
    }
}
