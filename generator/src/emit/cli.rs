//! Emits `cli.rs`, the command line behind the crate's `cli` feature, and the binary's `main.rs`.
//! One subcommand per resource and one per operation, built with clap's builder API (no derive
//! macro to compile); each operation's handler turns its arguments into the typed call, so a bad
//! value or body is caught before anything is sent.
//!
//! ```text
//! pub fn main() -> ExitCode                       runtime's cli::main with `command` and `run`
//! pub fn command() -> clap::Command               root + evaluations_command() + …
//! fn evaluations_command() -> clap::Command       list, create, retrieve, …: args from the spec
//! async fn run(matches) -> Result<(), CliError>   client from the environment, then dispatch
//! async fn list_evaluations(client, args, format) typed call, then print (or print_all with --all)
//! ```
//!
//! The generic part (reading bodies, printing, paging, exit codes) is the runtime's `cli.rs`.

use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::common::{is_open_enum, rust_type};
use crate::emit::operations::{method_inputs, outcome_name};
use crate::model::{
    resolve_alias, ApiModel, Body, Field, Operation, Param, ParamEncoding, ParamLocation, Resource, Response, TypeKind,
    TypeRef,
};
use crate::naming::ident;

/// Names the runtime's root command takes for itself: an argument or resource of the API named
/// like one gets a prefix.
const RESERVED_FLAGS: &[&str] = &["all", "body", "output", "base-url", "help", "version"];
const RESERVED_COMMANDS: &[&str] = &["completions", "help"];

/// `src/generated/main.rs`: the binary, a call into the library's `cli` module.
pub fn emit_cli_main(model: &ApiModel) -> TokenStream {
    let crate_ident = ident(&model.settings.crate_name.replace('-', "_"));
    let doc = format!(
        " The `{}` command (feature `cli`); everything it does is in the crate's `cli` module.",
        model.settings.crate_name
    );
    quote! {
        #![doc = #doc]
        fn main() -> std::process::ExitCode {
            #crate_ident::cli::main()
        }
    }
}

pub fn emit_cli(model: &ApiModel) -> TokenStream {
    let name = &model.settings.crate_name;
    let about = &model.settings.crate_description;
    let environment = optional_call(quote!(after_help), &environment_help(model));
    let resource_commands = model.resources.iter().map(|r| {
        let function = command_fn(r);
        quote!(.subcommand(#function()))
    });
    let definitions = model.resources.iter().map(|r| resource_command(model, r));
    let resource_arms = model.resources.iter().map(|r| {
        let command = resource_command_name(r);
        let arms = r.operations.iter().map(|op| {
            let operation = kebab(&op.method_name);
            let handler = handler_name(op);
            quote!((#command, #operation) => #handler(&client, args, format).await,)
        });
        quote!(#(#arms)*)
    });
    let dispatch = if model.resources.iter().all(|r| r.operations.is_empty()) {
        // An API without operations: every command is unknown.
        quote! {
            let _ = (builder, format);
            let (resource, operation) = operation;
            Err(c::CliError::Usage(format!("unknown command {resource} {operation}")))
        }
    } else {
        quote! {
            // clap has checked the arguments already: a missing key is reported for a well-formed
            // command only.
            let client = builder.build()?;
            match operation {
                #(#resource_arms)*
                (resource, operation) => Err(c::CliError::Usage(format!("unknown command {resource} {operation}"))),
            }
        }
    };
    let handlers = model
        .resources
        .iter()
        .flat_map(|r| r.operations.iter().map(move |op| handler(model, r, op)));
    quote! {
        //! The command line (feature `cli`): `<resource> <operation> [arguments]`, one subcommand
        //! per resource and operation of the API, with the client's credentials and base URL from
        //! the environment.
        // What the spec deprecates warns users' code, not this module's.
        #![allow(deprecated)]
        use clap::{ArgMatches, Command};

        use crate::runtime::cli as c;

        /// Runs the command line on the process's arguments.
        pub fn main() -> std::process::ExitCode {
            c::main(command, run)
        }

        /// Every command and argument, for `--help` and completions.
        pub fn command() -> Command {
            c::root(#name)
                .about(#about)
                .version(env!("CARGO_PKG_VERSION"))
                #environment
                #(#resource_commands)*
        }

        async fn run(matches: ArgMatches) -> Result<(), c::CliError> {
            let args = c::leaf(&matches);
            let mut builder = crate::ClientBuilder::from_env();
            if let Some(url) = args.get_one::<String>("base_url") {
                builder = builder.base_url(url);
            }
            let format = c::Format::from_args(args);
            let Some(operation) = c::operation(&matches) else {
                return Err(c::CliError::Usage("name a resource and an operation".to_owned()));
            };
            #dispatch
        }

        #(#definitions)*
        #(#handlers)*
    }
}

/// The text after the root's `--help`: where credentials and the base URL come from.
fn environment_help(model: &ApiModel) -> String {
    let settings = &model.settings;
    let mut variables: Vec<(&str, String)> = settings
        .credentials
        .iter()
        .filter_map(|c| Some((c.env_var.as_deref()?, format!("{} ({})", c.setter, c.scheme))))
        .collect();
    if let Some(var) = &settings.base_url_env {
        variables.push((var, "the base URL (--base-url wins)".to_owned()));
    }
    if variables.is_empty() {
        return String::new();
    }
    let width = variables.iter().map(|(var, _)| var.len()).max().unwrap_or_default();
    let lines: Vec<String> = variables
        .iter()
        .map(|(var, what)| format!("  {var:<width$}  {what}"))
        .collect();
    format!("Environment:\n{}", lines.join("\n"))
}

fn kebab(name: &str) -> String {
    name.trim_start_matches("r#").to_kebab_case()
}

fn resource_command_name(resource: &Resource) -> String {
    let name = kebab(&resource.module);
    if RESERVED_COMMANDS.contains(&name.as_str()) {
        format!("{name}-resource")
    } else {
        name
    }
}

fn command_fn(resource: &Resource) -> proc_macro2::Ident {
    ident(&format!("{}_command", bare(&resource.module)))
}

fn handler_name(op: &Operation) -> proc_macro2::Ident {
    ident(&format!("{}_handler", bare(&crate::naming::field_name(&op.id))))
}

/// A Rust name without what makes a keyword usable (`r#type`, `type_`), to build other names on.
fn bare(name: &str) -> &str {
    name.trim_start_matches("r#").trim_end_matches('_')
}

/// The flag of an argument: its name in kebab case, prefixed when the root uses the name.
fn flag(name: &str) -> String {
    let flag = kebab(name);
    if RESERVED_FLAGS.contains(&flag.as_str()) {
        format!("param-{flag}")
    } else {
        flag
    }
}

/// `.help("…")` and the like, left out when the spec gives no text.
fn optional_call(method: TokenStream, text: &str) -> TokenStream {
    if text.is_empty() {
        TokenStream::new()
    } else {
        quote!(.#method(#text))
    }
}

/// The first line of a description, for the short help.
fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn resource_command(model: &ApiModel, resource: &Resource) -> TokenStream {
    let function = command_fn(resource);
    let name = resource_command_name(resource);
    let about = resource
        .doc
        .as_deref()
        .map(first_line)
        .unwrap_or_else(|| format!("Operations on {}", resource.type_name));
    let operations = resource.operations.iter().map(|op| operation_command(model, op));
    quote! {
        fn #function() -> Command {
            Command::new(#name)
                .about(#about)
                .subcommand_required(true)
                .arg_required_else_help(true)
                #(.subcommand(#operations))*
        }
    }
}

fn operation_command(model: &ApiModel, op: &Operation) -> TokenStream {
    let name = kebab(&op.method_name);
    let mut about = op
        .summary
        .clone()
        .or_else(|| op.doc.as_deref().map(first_line))
        .unwrap_or_else(|| op.id.clone());
    if op.deprecated.is_some() {
        about.push_str(" (deprecated)");
    }
    let mut long = about.clone();
    if let Some(doc) = &op.doc {
        long.push_str(&format!("\n\n{}", doc.trim()));
    }
    long.push_str(&format!(
        "\n\n{} {} (operation {})",
        op.http_method.as_str(),
        op.path,
        op.id
    ));
    let params = op.params.iter().map(|p| param_arg(model, p));
    let body = body_args(model, op);
    let all = op.pagination.is_some().then(|| {
        quote! {
            .arg(clap::Arg::new("all").long("all").action(clap::ArgAction::SetTrue)
                .help("Follow every page and print every item (a progress bar on a terminal's stderr)"))
        }
    });
    quote! {
        Command::new(#name)
            .about(#about)
            .long_about(#long)
            #(.arg(#params))*
            #body
            #all
    }
}

/// One parameter as an argument: path parameters positional, the others flags.
fn param_arg(model: &ApiModel, param: &Param) -> TokenStream {
    let id = arg_id(&param.name);
    let help = optional_call(quote!(help), &param.doc.as_deref().map(first_line).unwrap_or_default());
    let (_, many) = value_kind(model, param);
    let value_name = param.wire_name.to_uppercase();
    let values = possible_values(model, param);
    let multiple = many.then(|| quote!(.action(clap::ArgAction::Append).value_delimiter(',')));
    let required = param.required;
    match param.location {
        ParamLocation::Path => quote! {
            clap::Arg::new(#id).required(true).value_name(#value_name) #help #values #multiple
        },
        _ => {
            let long = flag(&param.name);
            quote! {
                clap::Arg::new(#id).long(#long).value_name(#value_name).required(#required) #help #values #multiple
            }
        }
    }
}

fn arg_id(name: &str) -> String {
    let id = name.trim_start_matches("r#");
    if RESERVED_FLAGS.contains(&id) || id == "base_url" {
        format!("param_{id}")
    } else {
        id.to_owned()
    }
}

/// The values clap accepts: a closed enum's (listed in `--help`), `true`/`false` for booleans.
fn possible_values(model: &ApiModel, param: &Param) -> TokenStream {
    let item = match &param.ty {
        TypeRef::Array(item) => item.as_ref(),
        other => other,
    };
    possible_values_of(model, item)
}

/// [`possible_values`] for a value of type `ty`.
fn possible_values_of(model: &ApiModel, ty: &TypeRef) -> TokenStream {
    let values: Vec<String> = match resolve_alias(&model.types, ty) {
        TypeRef::Boolean => vec!["true".to_owned(), "false".to_owned()],
        TypeRef::Named(id) => match model.types.get(id.0) {
            Some(def) => match &def.kind {
                TypeKind::Enum(e) if !is_open_enum(def, e) => e.variants.iter().map(|v| v.wire.clone()).collect(),
                _ => return TokenStream::new(),
            },
            None => return TokenStream::new(),
        },
        _ => return TokenStream::new(),
    };
    quote!(.value_parser(clap::builder::PossibleValuesParser::new([#(#values),*])))
}

/// How the argument's text becomes JSON, and whether it takes several values.
fn value_kind(model: &ApiModel, param: &Param) -> (TokenStream, bool) {
    let (item, many) = match (&param.ty, param.encoding) {
        (TypeRef::Array(item), ParamEncoding::Joined(_) | ParamEncoding::Repeated) => (item.as_ref(), true),
        (ty, _) => (ty, false),
    };
    let kind = scalar_kind(model, item).unwrap_or_else(|| quote!(c::Kind::Json));
    (kind, many)
}

/// How the text of a scalar (a string, number, boolean or enum value) becomes JSON; `None` for
/// anything else, whose text is JSON.
fn scalar_kind(model: &ApiModel, ty: &TypeRef) -> Option<TokenStream> {
    match resolve_alias(&model.types, ty) {
        TypeRef::String | TypeRef::Bytes | TypeRef::DateTime => Some(quote!(c::Kind::Text)),
        TypeRef::Integer => Some(quote!(c::Kind::Integer)),
        TypeRef::Number => Some(quote!(c::Kind::Number)),
        TypeRef::Boolean => Some(quote!(c::Kind::Boolean)),
        TypeRef::Named(id) => match model.types.get(id.0).map(|t| &t.kind) {
            Some(TypeKind::Enum(_)) => Some(quote!(c::Kind::Text)),
            _ => None,
        },
        _ => None,
    }
}

/// One top-level scalar field of a JSON body, set by a flag of its own.
struct BodyFieldFlag<'m> {
    field: &'m Field,
    /// The argument's id, `body.<wire name>`, apart from every parameter's.
    id: String,
    long: String,
    kind: TokenStream,
}

/// The flags for the top-level scalar fields of an operation's JSON object body, in the order of
/// the fields. A field whose flag would be a parameter's or the command's own is left to `--body`.
fn body_field_flags<'m>(model: &'m ApiModel, op: &Operation) -> Vec<BodyFieldFlag<'m>> {
    let Some(Body::Json { ty, .. }) = &op.body else {
        return Vec::new();
    };
    let TypeRef::Named(id) = resolve_alias(&model.types, ty) else {
        return Vec::new();
    };
    let Some(TypeKind::Struct(def)) = model.types.get(id.0).map(|t| &t.kind) else {
        return Vec::new();
    };
    let mut taken: Vec<String> = RESERVED_FLAGS.iter().map(|f| (*f).to_owned()).collect();
    taken.extend(op.params.iter().map(|p| flag(&p.name)));
    let mut flags = Vec::new();
    for field in &def.fields {
        let long = flag(&field.name);
        let Some(kind) = scalar_kind(model, &field.ty) else {
            continue;
        };
        if taken.contains(&long) {
            continue;
        }
        taken.push(long.clone());
        flags.push(BodyFieldFlag {
            field,
            id: format!("body.{}", field.wire_name),
            long,
            kind,
        });
    }
    flags
}

/// `--body` for JSON, form and raw bodies, and a flag per top-level scalar field of a JSON object
/// body; one flag per part of a multipart body.
fn body_args(model: &ApiModel, op: &Operation) -> TokenStream {
    let (required, value_name, help) = match &op.body {
        None => return TokenStream::new(),
        Some(Body::Multipart { fields }) => {
            let args = fields.iter().map(|field| {
                let id = arg_id(&field.name);
                let long = flag(&field.name);
                let required = field.required;
                let (value_name, help) = if field.is_file {
                    ("PATH", "The file to upload (- for stdin)".to_owned())
                } else {
                    ("TEXT", field.doc.as_deref().map(first_line).unwrap_or_default())
                };
                let help = optional_call(quote!(help), &help);
                quote!(.arg(clap::Arg::new(#id).long(#long).value_name(#value_name).required(#required) #help))
            });
            return quote!(#(#args)*);
        }
        Some(Body::Json { required, .. } | Body::Form { required, .. }) => (
            *required,
            "JSON",
            "The request body as JSON: @file.json, - (stdin) or the JSON text",
        ),
        Some(Body::Raw { required, .. }) => (*required, "DATA", "The request body: @file, - (stdin) or the text"),
    };
    let fields = body_field_flags(model, op);
    // With field flags the body can come from them alone: whether one came is checked when read.
    let required = required && fields.is_empty();
    let field_args = fields.iter().map(|flag| {
        let (id, long) = (&flag.id, &flag.long);
        let value_name = flag.field.wire_name.to_uppercase();
        let mut help = format!("Body field `{}`", flag.field.wire_name);
        if let Some(doc) = flag.field.doc.as_deref().map(first_line).filter(|d| !d.is_empty()) {
            help.push_str(&format!(": {doc}"));
        }
        help.push_str(" (overrides --body's)");
        let values = possible_values_of(model, &flag.field.ty);
        quote!(.arg(clap::Arg::new(#id).long(#long).value_name(#value_name).help(#help) #values))
    });
    quote! {
        .arg(clap::Arg::new("body").long("body").value_name(#value_name).required(#required).help(#help))
        #(#field_args)*
    }
}

/// The value of one input of the typed call, read from the arguments (`None` when not given).
fn input_value(model: &ApiModel, op: &Operation, name: &str, ty: &TokenStream) -> TokenStream {
    if let Some(param) = op.params.iter().find(|p| ident(&p.name) == name) {
        let id = arg_id(&param.name);
        let shown = match param.location {
            ParamLocation::Path => param.wire_name.to_uppercase(),
            _ => format!("--{}", flag(&param.name)),
        };
        let (kind, many) = value_kind(model, param);
        return quote!(c::optional::<#ty>(args, #id, #shown, #kind, #many)?);
    }
    match &op.body {
        Some(Body::Multipart { fields }) => {
            let field = fields.iter().find(|f| ident(&f.name) == name);
            let id = field.map(|f| arg_id(&f.name)).unwrap_or_default();
            if field.is_some_and(|f| f.is_file) {
                quote!(c::file(args, #id)?)
            } else {
                quote!(args.get_one::<String>(#id).cloned())
            }
        }
        Some(Body::Raw { .. }) => quote!(c::raw_body(args)?),
        _ => {
            let fields = body_field_flags(model, op);
            if fields.is_empty() {
                return quote!(c::json_body::<#ty>(args)?);
            }
            let fields = fields.iter().map(|flag| {
                let (id, long, kind) = (&flag.id, &flag.long, &flag.kind);
                let wire = &flag.field.wire_name;
                quote!(c::BodyField { id: #id, wire: #wire, flag: #long, kind: #kind })
            });
            quote!(c::json_body_with_fields::<#ty>(args, &[#(#fields),*])?)
        }
    }
}

/// The handler of one operation: the typed call from the arguments, then the output.
fn handler(model: &ApiModel, resource: &Resource, op: &Operation) -> TokenStream {
    let name = handler_name(op);
    let accessor = ident(&resource.module);
    let method = ident(&op.method_name);
    let mut arguments = Vec::new();
    let mut setters = Vec::new();
    for input in method_inputs(model, op) {
        let (input_name, ty) = (&input.name, &input.ty);
        let value = input_value(model, op, &input_name.to_string(), ty);
        if input.required {
            let input_text = input_name.to_string();
            let missing = if input_text == "body" && !body_field_flags(model, op).is_empty() {
                "the body is required: give --body, its fields' flags (see --help), or both".to_owned()
            } else {
                format!("{} is required", input_text.trim_start_matches("r#"))
            };
            arguments.push(quote!(#value.ok_or_else(|| c::CliError::Usage(#missing.to_owned()))?));
        } else {
            setters.push(quote! {
                if let Some(value) = #value {
                    request = request.#input_name(value);
                }
            });
        }
    }
    let all = op.pagination.as_ref().map(|pagination| {
        let page = rust_type(model, &pagination.page_type, true);
        let total = match page_field(model, &pagination.page_type, "total") {
            Some(field) => {
                let field = ident(&field);
                quote!(|page: &#page| c::count(&page.#field))
            }
            None => quote!(|_: &#page| None),
        };
        quote! {
            if c::all(args) {
                return c::print_all(request, format, #total).await;
            }
        }
    });
    let output = output(model, resource, op);
    let mutable = (!setters.is_empty()).then(|| quote!(mut));
    // An operation without inputs or pages reads no argument.
    let args = if arguments.is_empty() && setters.is_empty() && all.is_none() {
        quote!(_args)
    } else {
        quote!(args)
    };
    quote! {
        async fn #name(client: &crate::Client, #args: &ArgMatches, format: c::Format) -> Result<(), c::CliError> {
            let #mutable request = client.#accessor().#method(#(#arguments),*);
            #(#setters)*
            #all
            #output
        }
    }
}

/// The Rust name of the page type's field with this wire name.
fn page_field(model: &ApiModel, page: &TypeRef, wire: &str) -> Option<String> {
    let id = resolve_alias(&model.types, page).direct_named()?;
    match &model.types.get(id.0)?.kind {
        TypeKind::Struct(def) => def.fields.iter().find(|f| f.wire_name == wire).map(|f| f.name.clone()),
        _ => None,
    }
}

/// Sends the request and prints what came back.
fn output(model: &ApiModel, resource: &Resource, op: &Operation) -> TokenStream {
    let items = op.pagination.as_ref().and_then(|pagination| {
        let id = resolve_alias(&model.types, &pagination.page_type).direct_named()?;
        match &model.types.get(id.0)?.kind {
            TypeKind::Struct(def) => def
                .fields
                .iter()
                .find(|f| f.name == pagination.items_field)
                .map(|f| f.wire_name.clone()),
            _ => None,
        }
    });
    let items = match items {
        Some(wire) => quote!(Some(#wire)),
        None => quote!(None),
    };
    match &op.response {
        Response::Json(_) => quote!(c::print(&request.send().await?, format, #items)),
        // Bytes are written as they came and nothing is printed for no body: no format applies.
        Response::Bytes => quote! {
            let _ = format;
            c::print_bytes(&request.send().await?)
        },
        Response::Empty => quote! {
            let _ = format;
            request.send().await?;
            Ok(())
        },
        Response::ByStatus(statuses) => {
            let outcome = outcome_name(op);
            let module = ident(&resource.module);
            let arms = statuses.iter().map(|status| {
                let variant = ident(&status.variant);
                match &status.body {
                    Response::Json(_) => {
                        quote!(crate::#module::#outcome::#variant(value) => c::print(&value, format, #items),)
                    }
                    Response::Bytes => quote!(crate::#module::#outcome::#variant(bytes) => c::print_bytes(&bytes),),
                    _ => quote!(crate::#module::#outcome::#variant => Ok(()),),
                }
            });
            quote! {
                match request.send().await? {
                    #(#arms)*
                    crate::#module::#outcome::Other { body, .. } => c::print_bytes(&body),
                }
            }
        }
    }
}
