//! Loading and validation: each test feeds one small spec and pins the diagnostic it must produce
//! (pointer, line, message) or the line the index must find.

use std::path::Path;

use crate::diagnostic::{render, Diagnostic, Severity};
use crate::spec::load::{load_file, load_str};

/// Load errors, or else validation diagnostics.
fn diagnostics(text: &str) -> Vec<Diagnostic> {
    match load_str(text) {
        Ok(spec) => spec.validate(),
        Err(diagnostics) => diagnostics,
    }
}

/// The one diagnostic at `pointer`; fails the test with everything that was reported otherwise.
fn at<'a>(diagnostics: &'a [Diagnostic], pointer: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.pointer == pointer).collect();
    match found.as_slice() {
        [one] => one,
        _ => panic!("expected one diagnostic at {pointer}, got:\n{}", render(diagnostics)),
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/spec/test_fixtures")
        .join(name)
}

/// A valid document around one schema, `Item`; the schema text starts on line 15.
fn with_item_schema(schema: &str) -> String {
    let head = r#"openapi: 3.0.3
info:
  title: T
  version: "1"
paths:
  /items:
    get:
      operationId: listItems
      responses:
        "200":
          description: ok
components:
  schemas:
    Item:
"#;
    let indented: String = schema.lines().map(|line| format!("      {line}\n")).collect();
    format!("{head}{indented}")
}

#[test]
fn valid_small_spec_has_no_diagnostics() {
    let spec = load_file(&fixture("minimal.yaml")).unwrap();
    assert_eq!(spec.validate(), vec![]);
    assert_eq!(spec.openapi.info.title, "Minimal");
}

#[test]
fn lines_for_block_scalars_sequence_items_and_quoted_keys() {
    let spec = load_file(&fixture("minimal.yaml")).unwrap();
    let lines = &spec.lines;
    let item = "#/paths/~1v5~1evaluations~1{evaluation_id}";
    assert_eq!(lines.line_of("#/info/description"), Some(5));
    // The key after the block scalar; the scalar's own `paths:` text must not count as a key.
    assert_eq!(lines.line_of("#/paths"), Some(9));
    assert_eq!(lines.line_of(item), Some(10));
    assert_eq!(lines.line_of(&format!("{item}/parameters/0")), Some(12));
    assert_eq!(lines.line_of(&format!("{item}/parameters/0/in")), Some(13));
    assert_eq!(lines.line_of(&format!("{item}/get/parameters/0")), Some(20));
    assert_eq!(lines.line_of(&format!("{item}/get/responses/200")), Some(22));
    assert_eq!(
        lines.line_of(&format!("{item}/get/responses/200/description")),
        Some(23)
    );
    // No node of its own: the nearest ancestor's line.
    assert_eq!(
        lines.line_of(&format!("{item}/get/responses/200/description/nope")),
        Some(23)
    );
}

#[test]
fn yaml_syntax_error_has_line() {
    let text = r#"openapi: 3.0.3
info:
  title: T
  version: "1"
paths:
  /items: [unclosed
"#;
    let errors = load_str(text).err().unwrap();
    let error = at(&errors, "#");
    assert_eq!(error.severity, Severity::Error);
    assert!(error.message.starts_with("invalid YAML"), "{}", error.message);
    assert!(matches!(error.line, Some(6) | Some(7)), "{error}");
}

#[test]
fn json_syntax_error_has_line() {
    let errors = load_str("{\n  \"openapi\": \"3.0.3\",\n  \"info\" {}\n}\n")
        .err()
        .unwrap();
    let error = at(&errors, "#");
    assert!(error.message.starts_with("invalid JSON"), "{}", error.message);
    assert_eq!(error.line, Some(3));
}

#[test]
fn unknown_key_in_property_schema_suggests_the_real_one() {
    let all = diagnostics(&with_item_schema(
        r#"type: object
properties:
  name:
    type: string
    nulable: true
"#,
    ));
    let error = at(&all, "#/components/schemas/Item/properties/name/nulable");
    assert_eq!(error.severity, Severity::Error);
    assert_eq!(error.line, Some(19));
    assert_eq!(
        error.message,
        "unknown key `nulable` in Schema Object; did you mean `nullable`?"
    );
    assert_eq!(all.len(), 1, "{all:?}");
}

#[test]
fn misspelt_required_in_schema() {
    let all = diagnostics(&with_item_schema(
        r#"type: object
requried: [name]
properties:
  name:
    type: string
"#,
    ));
    let error = at(&all, "#/components/schemas/Item/requried");
    assert_eq!(error.line, Some(16));
    assert!(error.message.contains("did you mean `required`?"), "{}", error.message);
}

#[test]
fn json_document_loads_and_gets_lines() {
    let spec = load_file(&fixture("minimal.json")).unwrap();
    assert_eq!(spec.lines.line_of("#/paths/~1v5~1items/get/operationId"), Some(7));
    let all = spec.validate();
    let error = at(&all, "#/components/schemas/Item/properties/name/nulable");
    assert_eq!(error.line, Some(26));
    assert!(error.message.contains("did you mean `nullable`?"));
}

#[test]
fn dangling_ref_names_the_closest_target() {
    let all = diagnostics(&with_item_schema(
        r#"type: object
properties:
  child:
    $ref: '#/components/schemas/Iten'
"#,
    ));
    let error = at(&all, "#/components/schemas/Item/properties/child/$ref");
    assert_eq!(error.line, Some(18));
    assert_eq!(
        error.message,
        "`$ref` target `#/components/schemas/Iten` does not exist; did you mean `#/components/schemas/Item`?"
    );
}

#[test]
fn external_ref_is_rejected() {
    let all = diagnostics(&with_item_schema("$ref: 'common.yaml#/components/schemas/Item'\n"));
    let error = at(&all, "#/components/schemas/Item/$ref");
    assert_eq!(error.line, Some(15));
    assert!(error
        .message
        .starts_with("external $ref `common.yaml#/components/schemas/Item` not supported"));
}

#[test]
fn ref_only_cycle_is_an_error_but_recursion_through_a_schema_is_not() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    A:
      $ref: '#/components/schemas/B'
    B:
      $ref: '#/components/schemas/A'
    Tree:
      type: object
      properties:
        children:
          type: array
          items:
            $ref: '#/components/schemas/Tree'
"#;
    let all = diagnostics(text);
    let errors: Vec<&Diagnostic> = all.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{all:?}");
    assert!(
        errors[0].message.starts_with("`$ref` cycle with no schema in between"),
        "{}",
        errors[0].message
    );
    assert!(matches!(errors[0].line, Some(7) | Some(9)));
}

#[test]
fn ref_to_the_wrong_kind_of_component() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - $ref: '#/components/schemas/Limit'
      responses:
        "200": {description: ok}
components:
  schemas:
    Limit: {type: integer}
"#;
    let all = diagnostics(text);
    let error = at(&all, "#/paths/~1items/get/parameters/0/$ref");
    assert_eq!(error.line, Some(8));
    assert!(error
        .message
        .contains("points at a Schema Object where a Parameter Object is expected"));
}

#[test]
fn versions_other_than_3_0_and_3_1_are_rejected_with_a_located_error() {
    let text = "openapi: 3.2.0\ninfo:\n  title: T\n  version: \"1\"\npaths: {}\n";
    let errors = load_str(text).err().unwrap();
    assert_eq!(errors.len(), 1);
    let error = at(&errors, "#/openapi");
    assert_eq!(error.line, Some(1));
    assert!(
        error.message.starts_with("unsupported OpenAPI version `3.2.0`"),
        "{}",
        error.message
    );
}

/// A 3.1 document is translated before validation; what validation and the translation report
/// points into the 3.1 text, including nodes the translation moved.
#[test]
fn openapi_3_1_diagnostics_point_into_the_original_file() {
    let text = r#"openapi: 3.1.0
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      type: object
      properties:
        owner:
          $ref: '#/components/schemas/Owner'
          description: Dangling, beside a sibling.
        tag:
          $ref: '#/components/schemas/Pet/$defs/Tag'
      $defs:
        Tag:
          type: [string, "null"]
          nulable: true
          if: {minLength: 1}
"#;
    let all = diagnostics(text);
    let dangling = at(&all, "#/components/schemas/Pet/properties/owner/$ref");
    assert_eq!(dangling.line, Some(10), "{dangling}");
    let typo = at(&all, "#/components/schemas/Pet/$defs/Tag/nulable");
    assert_eq!(typo.line, Some(17), "{typo}");
    let dropped = at(&all, "#/components/schemas/Pet/$defs/Tag/if");
    assert_eq!((dropped.severity, dropped.line), (Severity::Warning, Some(18)));
}

/// 3.1's fields are unknown keys in a 3.0 document, said as such.
#[test]
fn openapi_3_1_fields_in_a_3_0_document_are_errors() {
    let text = "openapi: 3.0.3\ninfo:\n  title: T\n  version: \"1\"\n  summary: S\npaths: {}\n";
    let all = diagnostics(text);
    let error = at(&all, "#/info/summary");
    assert!(
        error.is_error() && error.message.contains("OpenAPI 3.1 field"),
        "{error}"
    );
}

#[test]
fn missing_or_malformed_version() {
    let missing = load_str("info: {title: T, version: '1'}\npaths: {}\n").err().unwrap();
    assert!(at(&missing, "#").message.starts_with("missing `openapi` field"));
    let number = load_str("openapi: 3.0\ninfo: {title: T, version: '1'}\npaths: {}\n")
        .err()
        .unwrap();
    assert!(at(&number, "#/openapi").message.contains("must be a string"));
    let swagger = load_str("swagger: '2.0'\n").err().unwrap();
    assert!(at(&swagger, "#/swagger").message.starts_with("Swagger 2.0"));
}

#[test]
fn path_parameters_must_match_the_template() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items/{item_id}/runs/{run_id}:
    parameters:
      - name: item_id
        in: path
        required: true
        schema: {type: string}
    get:
      operationId: getRun
      parameters:
        - name: run
          in: path
          schema: {type: string}
      responses:
        "200": {description: ok}
"#;
    let all = diagnostics(text);
    let operation = "#/paths/~1items~1{item_id}~1runs~1{run_id}/get";
    let missing = at(&all, operation);
    assert_eq!(missing.line, Some(10));
    assert_eq!(
        missing.message,
        "`{run_id}` in path `/items/{item_id}/runs/{run_id}` has no `in: path` parameter named `run_id`"
    );
    let extra: Vec<&Diagnostic> = all
        .iter()
        .filter(|d| d.pointer == format!("{operation}/parameters/0"))
        .collect();
    assert_eq!(extra.len(), 2, "{all:?}");
    assert!(extra.iter().all(|d| d.line == Some(13)));
    assert!(extra.iter().any(|d| d.message.contains("does not appear in the path")));
    assert!(extra.iter().any(|d| d.message.contains("must have `required: true`")));
    assert_eq!(all.len(), 3, "{all:?}");
}

#[test]
fn unbalanced_braces_in_a_path() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items/{item_id:
    get:
      operationId: getItem
      responses:
        "200": {description: ok}
"#;
    let all = diagnostics(text);
    let error = at(&all, "#/paths/~1items~1{item_id");
    assert_eq!(error.line, Some(4));
    assert!(error.message.contains("is never closed"));
}

#[test]
fn duplicate_operation_id_is_reported_at_the_second_occurrence() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items:
    post:
      operationId: createItem
      responses:
        "200": {description: ok}
    get:
      operationId: createItem
      responses:
        "200": {description: ok}
"#;
    let all = diagnostics(text);
    let error = at(&all, "#/paths/~1items/get/operationId");
    assert_eq!(error.line, Some(10));
    assert_eq!(
        error.message,
        "duplicate operationId `createItem`: already used by `POST /items` (#/paths/~1items/post, line 6)"
    );
    assert_eq!(all.len(), 1);
}

#[test]
fn missing_operation_id() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items:
    get:
      responses:
        "200": {description: ok}
"#;
    let all = diagnostics(text);
    // A warning: the generator names the operation from its method and path instead.
    let warning = at(&all, "#/paths/~1items/get");
    assert_eq!(warning.line, Some(5));
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.message.contains("add an operationId"));
}

#[test]
fn duplicate_parameters_in_one_operation() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
        - {name: x-trace, in: header, schema: {type: string}}
        - {name: limit, in: header, schema: {type: integer}}
      responses:
        "200": {description: ok}
"#;
    let all = diagnostics(text);
    let error = at(&all, "#/paths/~1items/get/parameters/2");
    assert_eq!(error.line, Some(10));
    assert!(error.message.starts_with("duplicate parameter `x-trace` (in: header)"));
    assert_eq!(all.len(), 1, "{all:?}");
}

#[test]
fn keys_openapiv3_would_drop_silently() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  items:
    get:
      operationId: listItems
      responses:
        "20O": {description: ok}
"#;
    let all = diagnostics(text);
    assert!(at(&all, "#/paths/items").message.contains("must start with `/`"));
}

#[test]
fn bad_status_code_key() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        "20O": {description: ok}
"#;
    let all = diagnostics(text);
    let error = at(&all, "#/paths/~1items/get/responses/20O");
    assert_eq!(error.line, Some(8));
    assert!(error.message.contains("is not a response status code"));
}

#[test]
fn schema_constructs_the_client_cannot_honour_are_warnings() {
    let all = diagnostics(&with_item_schema(
        r#"type: object
properties:
  kind:
    type: string
    const: evaluation
  other:
    not: {type: string}
  tag:
    type: string
    examples: [a, b]
  size:
    type: integer
    minimum: 0
    maximum: 10
    pattern: '^\d+$'
"#,
    ));
    let base = "#/components/schemas/Item/properties";
    let constant = at(&all, &format!("{base}/kind/const"));
    assert_eq!((constant.severity, constant.line), (Severity::Warning, Some(19)));
    assert!(constant.message.contains("use `enum: [value]`"));
    let not = at(&all, &format!("{base}/other/not"));
    assert_eq!(not.message, "keyword `not` is not enforced by the generated client");
    assert_eq!(at(&all, &format!("{base}/tag/examples")).severity, Severity::Warning);
    // `pattern` does not fit `type: integer`: openapiv3 would read the schema as untyped.
    assert_eq!(at(&all, &format!("{base}/size/pattern")).severity, Severity::Warning);
    assert!(all.iter().all(|d| d.severity == Severity::Warning), "{all:?}");
    assert_eq!(all.len(), 4, "{all:?}");
}

#[test]
fn type_as_a_list_fails_with_a_precise_error() {
    let errors = diagnostics(&with_item_schema("type: [string, 'null']\n"));
    let error = at(&errors, "#/components/schemas/Item/type");
    assert_eq!(error.line, Some(15));
    assert!(error.message.starts_with("`type` as a list is OpenAPI 3.1"));
}

#[test]
fn ref_siblings_are_ignored_with_a_warning() {
    let all = diagnostics(&with_item_schema(
        r#"type: object
properties:
  parent:
    $ref: '#/components/schemas/Item'
    nullable: true
"#,
    ));
    let warning = at(&all, "#/components/schemas/Item/properties/parent");
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning
        .message
        .starts_with("`nullable` next to `$ref` is ignored in OpenAPI 3.0"));
}

#[test]
fn openapiv3_failures_are_located() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items:
    post:
      operationId: createItem
      parameters:
        - name: body
          in: body
          schema: {type: object}
      responses:
        "200": {description: ok}
"#;
    let errors = load_str(text).err().unwrap();
    assert!(errors.iter().all(Diagnostic::is_error));
    let precise = at(&errors, "#/paths/~1items/post/parameters/0/in");
    assert_eq!(precise.line, Some(9));
    assert!(precise.message.contains("requestBody"));
    // openapiv3's own message comes too, located as deep as its path goes.
    assert!(errors
        .iter()
        .any(|d| d.message.starts_with("not a valid OpenAPI 3.0 document") && d.line.is_some()));
}

#[test]
fn duplicate_keys_are_errors() {
    let text = r#"openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        "200": {description: ok}
  /items:
    get:
      operationId: listItemsAgain
      responses:
        "200": {description: ok}
"#;
    let all = diagnostics(text);
    let error = at(&all, "#/paths/~1items");
    assert_eq!(error.line, Some(9));
    assert!(error.message.starts_with("duplicate key `/items` (also at line 4)"));
    // Only the repeated key itself: its children are not repeats within their own mappings.
    assert_eq!(
        all.iter().filter(|d| d.message.starts_with("duplicate key")).count(),
        1,
        "{all:?}"
    );
}

#[test]
fn every_diagnostic_is_located() {
    let all = diagnostics(&with_item_schema(
        r#"type: object
requried: [a]
properties:
  a: {$ref: '#/components/schemas/Nope'}
  b: {type: strin}
"#,
    ));
    assert!(all.len() >= 3, "{all:?}");
    assert!(all.iter().all(|d| d.line.is_some()), "{all:?}");
}

#[test]
fn no_input_panics() {
    let inputs = [
        "",
        "   \n",
        "42",
        "- a\n- b\n",
        "{",
        "openapi: 3.0.3\n",
        "openapi: 3.0.3\ninfo: 7\npaths: []\n",
        "openapi: 3.0.3\n---\nopenapi: 3.0.3\n",
        "a: !custom x\n",
        "? [a, b]\n: c\n",
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {/x: {get: {responses: {default: 5}}}}\n",
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {/x/{a}}{: {parameters: [{$ref: 7}]}}\n",
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents: {schemas: {A: {$ref: '#/components/schemas/A'}}}\n",
        "\u{feff}{\"openapi\": \"3.0.3\"}",
        "openapi: '3.0.3'\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    $ref: '#/paths/~1x'\n",
    ];
    for input in inputs {
        let all = diagnostics(input);
        assert!(all.iter().any(Diagnostic::is_error), "{input:?} gave {all:?}");
    }
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(!diagnostics(&deep).is_empty());
}
