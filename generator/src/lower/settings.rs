//! API-wide settings: the crate's name, version and description from `x-codegen` and `info`,
//! the base URL from `servers`, and the credentials from the security schemes.

use std::collections::BTreeSet;

use openapiv3::{APIKeyLocation, OpenAPI, SecurityScheme};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::model::{Credential, CredentialKind, Settings};
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

/// Reads `x-codegen`, `info`, `servers` and the header API-key security schemes.
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
    Settings {
        crate_version,
        crate_description: setting("crate-description").unwrap_or_else(|| format!("Client for {}", openapi.info.title)),
        crate_name,
        api_description: openapi.info.description.clone(),
        default_base_url,
        base_url_env: setting("base-url-env"),
        credentials: lower_credentials(openapi, diagnostics),
    }
}

fn lower_credentials(openapi: &OpenAPI, diagnostics: &mut Vec<Diagnostic>) -> Vec<Credential> {
    let required: BTreeSet<&String> = openapi.security.iter().flatten().flat_map(|req| req.keys()).collect();
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
        let (kind, header, description, extensions) = match scheme {
            SecurityScheme::APIKey {
                location: APIKeyLocation::Header,
                name,
                description,
                extensions,
            } => (CredentialKind::ApiKeyHeader, name.clone(), description, extensions),
            SecurityScheme::HTTP {
                scheme: http,
                bearer_format,
                description,
                extensions,
            } => {
                let kind = match http.to_ascii_lowercase().as_str() {
                    "bearer" => CredentialKind::Bearer,
                    "basic" => CredentialKind::Basic,
                    other => {
                        diagnostics.push(Diagnostic::warning(
                            pointer,
                            format!("HTTP `{other}` authentication is not supported (bearer and basic are); skipped"),
                        ));
                        continue;
                    }
                };
                let description = match (description, bearer_format) {
                    (Some(text), Some(format)) => Some(format!("{text}\n\nThe token is a {format}.")),
                    (None, Some(format)) => Some(format!("The token is a {format}.")),
                    (description, None) => description.clone(),
                };
                credentials.push(credential(
                    key,
                    kind,
                    "authorization",
                    description.as_ref(),
                    extensions,
                    &required,
                ));
                continue;
            }
            SecurityScheme::OAuth2 {
                description,
                extensions,
                ..
            }
            | SecurityScheme::OpenIDConnect {
                description,
                extensions,
                ..
            } => {
                let note =
                    "An access token the caller obtains (this client does not run OAuth 2 or OpenID Connect flows).";
                let description = Some(match description {
                    Some(text) => format!("{text}\n\n{note}"),
                    None => note.to_owned(),
                });
                credentials.push(credential(
                    key,
                    CredentialKind::Bearer,
                    "authorization",
                    description.as_ref(),
                    extensions,
                    &required,
                ));
                continue;
            }
            SecurityScheme::APIKey { .. } => {
                diagnostics.push(Diagnostic::warning(
                    pointer,
                    "API keys in a query or cookie are not supported (header API keys are); skipped",
                ));
                continue;
            }
        };
        credentials.push(credential(
            key,
            kind,
            &header,
            description.as_ref(),
            extensions,
            &required,
        ));
    }
    let mut headers = BTreeSet::new();
    for c in &credentials {
        if !headers.insert(c.header.to_ascii_lowercase()) {
            diagnostics.push(Diagnostic::warning(
                "#/components/securitySchemes",
                format!(
                    "more than one security scheme is sent in the `{}` header; the one set last wins",
                    c.header
                ),
            ));
        }
    }
    credentials
}

/// One credential from its scheme's key and extensions (`x-rust-name` for the setter, `x-env-var`).
fn credential(
    key: &str,
    kind: CredentialKind,
    header: &str,
    description: Option<&String>,
    extensions: &indexmap::IndexMap<String, Value>,
    required: &BTreeSet<&String>,
) -> Credential {
    let setter = extensions
        .get("x-rust-name")
        .and_then(Value::as_str)
        .map_or_else(|| naming::field_name(key), naming::field_name);
    Credential {
        kind,
        header: header.to_owned(),
        setter,
        env_var: extensions.get("x-env-var").and_then(Value::as_str).map(str::to_owned),
        doc: description.cloned(),
        required: required.iter().any(|r| r.as_str() == key),
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
}
