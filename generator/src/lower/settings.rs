//! API-wide settings: the crate's name, version and description from `x-codegen` and `info`,
//! the base URL from `servers`, and the credentials from the security schemes.

use std::collections::BTreeSet;

use openapiv3::{APIKeyLocation, OpenAPI, SecurityScheme};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::model::{Credential, Settings};
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
        let Some(SecurityScheme::APIKey {
            location,
            name,
            description,
            extensions,
        }) = scheme.as_item()
        else {
            diagnostics.push(Diagnostic::warning(
                pointer,
                "only `apiKey` security schemes are supported; skipped",
            ));
            continue;
        };
        if !matches!(location, APIKeyLocation::Header) {
            diagnostics.push(Diagnostic::warning(
                pointer,
                "only header API keys are supported; skipped",
            ));
            continue;
        }
        let setter = extensions
            .get("x-rust-name")
            .and_then(Value::as_str)
            .map_or_else(|| naming::field_name(key), naming::field_name);
        credentials.push(Credential {
            header: name.clone(),
            setter,
            env_var: extensions.get("x-env-var").and_then(Value::as_str).map(str::to_owned),
            doc: description.clone(),
            required: required.contains(key),
        });
    }
    credentials
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
