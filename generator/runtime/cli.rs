//! The generic part of the command line (feature `cli`): reading arguments and request bodies into
//! typed values, printing results (pretty JSON, JSON lines, a table), following every page with a
//! progress bar, and turning failures into one line on stderr and an exit code.
//!
//! The generated `cli.rs` knows the API (its commands, which typed call each one makes); this file
//! knows nothing about any particular API.

use std::fmt;
use std::io::{self, IsTerminal, Read, Write};

use futures_core::Stream;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::runtime::pagination::{self, CursorPaginated};
use crate::runtime::{Error, ErrorKind, FileUpload};

/// The process's exit status, by what went wrong. The README's table lists the same codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// The output could not be written, or another failure the kinds below do not cover.
    Other = 1,
    /// Bad arguments or a request body that does not decode into the operation's type; nothing sent.
    Usage = 2,
    /// A missing credential or an invalid base URL; nothing sent.
    Config = 3,
    /// The server answered 4xx.
    ClientStatus = 4,
    /// The server answered 5xx (or another non-2xx status).
    ServerStatus = 5,
    /// No connection, a timeout or a broken connection.
    Network = 6,
    /// The server answered 2xx with a body that does not match the API description.
    Decode = 7,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// Why a command failed; `Display` is the one line printed on stderr.
#[derive(Debug)]
pub enum CliError {
    /// An argument or the body is wrong; nothing was sent.
    Usage(String),
    /// The client or the call failed.
    Api(Error),
    /// Writing the output failed.
    Output(io::Error),
}

impl CliError {
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Usage(_) => Exit::Usage,
            CliError::Output(_) => Exit::Other,
            CliError::Api(error) => match error.kind() {
                ErrorKind::Config | ErrorKind::InvalidRequest => Exit::Config,
                ErrorKind::Status if error.status().is_some_and(|s| (400..500).contains(&s)) => Exit::ClientStatus,
                ErrorKind::Status => Exit::ServerStatus,
                ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Transport => Exit::Network,
                ErrorKind::Decode => Exit::Decode,
            },
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = match self {
            CliError::Usage(message) => format!("error: {message}"),
            CliError::Output(error) => format!("error: writing the output: {error}"),
            // The runtime's `Display` names the status, the operation and the detail, never a
            // credential or a filled URL.
            CliError::Api(error) => match error.request_id() {
                Some(id) => format!("error: {error} (request id {id})"),
                None => format!("error: {error}"),
            },
        };
        // One line, whatever the server's body held.
        f.write_str(&line.replace(['\r', '\n'], " "))
    }
}

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        CliError::Api(error)
    }
}

impl From<io::Error> for CliError {
    fn from(error: io::Error) -> Self {
        CliError::Output(error)
    }
}

/// Parses the process's arguments with `command`, answers `completions` and `--help` itself, runs
/// the rest with `run` on a single-threaded runtime (one request at a time needs no more), and
/// turns the outcome into one line on stderr and an exit status.
pub fn main<F, Fut>(command: fn() -> clap::Command, run: F) -> std::process::ExitCode
where
    F: FnOnce(clap::ArgMatches) -> Fut,
    Fut: std::future::Future<Output = Result<(), CliError>>,
{
    let matches = match command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            // Help and version are "errors" that clap prints to stdout with status 0.
            let _ = error.print();
            return std::process::ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(Exit::Usage as u8));
        }
    };
    if let Some(("completions", args)) = matches.subcommand() {
        let shell = args.get_one::<clap_complete::Shell>("shell").copied();
        let mut command = command();
        let name = command.get_name().to_owned();
        if let Some(shell) = shell {
            clap_complete::generate(shell, &mut command, name, &mut io::stdout());
        }
        return Exit::Success.into();
    }
    let result = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(run(matches)),
        Err(error) => Err(CliError::Output(error)),
    };
    match result {
        Ok(()) => Exit::Success.into(),
        Err(error) => {
            eprintln!("{error}");
            error.exit().into()
        }
    }
}

/// The top command: the options every command shares and `completions`; the generated code adds
/// one subcommand per resource.
pub fn root(name: &'static str) -> clap::Command {
    use clap::builder::PossibleValuesParser;
    use clap::{Arg, Command};
    Command::new(name)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("base_url")
                .long("base-url")
                .global(true)
                .value_name("URL")
                .help("Send requests to this base URL instead of the environment's or the default"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .value_parser(PossibleValuesParser::new(FORMATS.map(|(name, _)| name)))
                .default_value(FORMATS[0].0)
                .help("json: pretty JSON; jsonl: one line per list item; table: the items' scalar fields"),
        )
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                ),
        )
}

/// The matches of the innermost subcommand (the operation), where every option is.
pub fn leaf(matches: &clap::ArgMatches) -> &clap::ArgMatches {
    let mut current = matches;
    while let Some((_, inner)) = current.subcommand() {
        current = inner;
    }
    current
}

/// Whether `--all` was given (only list operations that can be paged have it).
pub fn all(args: &clap::ArgMatches) -> bool {
    args.try_get_one::<bool>("all").ok().flatten().copied().unwrap_or(false)
}

/// A request's `(resource, operation)` names, when the arguments name one.
pub fn operation(matches: &clap::ArgMatches) -> Option<(&str, &str)> {
    let (resource, args) = matches.subcommand()?;
    let (operation, _) = args.subcommand()?;
    Some((resource, operation))
}

/// How a parameter's text on the command line becomes JSON before it is decoded into its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Number,
    Boolean,
    /// Objects, unions, anything else: the text is JSON.
    Json,
}

impl Kind {
    fn to_json(self, name: &str, text: &str) -> Result<Value, CliError> {
        let invalid =
            |expected: &str| CliError::Usage(format!("invalid value '{text}' for {name}: expected {expected}"));
        match self {
            Kind::Text => Ok(Value::String(text.to_owned())),
            Kind::Integer => text.parse::<i64>().map(Value::from).map_err(|_| invalid("an integer")),
            Kind::Number => text.parse::<f64>().map(Value::from).map_err(|_| invalid("a number")),
            Kind::Boolean => text
                .parse::<bool>()
                .map(Value::from)
                .map_err(|_| invalid("true or false")),
            Kind::Json => serde_json::from_str(text).map_err(|e| invalid(&format!("JSON ({e})"))),
        }
    }
}

/// The value of argument `id` (`name` as the user typed it, for messages), decoded into `T`; an
/// argument that takes several values (an array) becomes a JSON array first.
pub fn optional<T: DeserializeOwned>(
    args: &clap::ArgMatches,
    id: &str,
    name: &str,
    kind: Kind,
    many: bool,
) -> Result<Option<T>, CliError> {
    let Some(texts) = args.get_many::<String>(id) else {
        return Ok(None);
    };
    let mut values = texts
        .map(|text| kind.to_json(name, text))
        .collect::<Result<Vec<_>, _>>()?;
    let json = if many {
        Value::Array(values)
    } else {
        match values.pop() {
            Some(last) => last,
            None => return Ok(None),
        }
    };
    serde_json::from_value(json)
        .map(Some)
        .map_err(|e| CliError::Usage(format!("invalid value for {name}: {e}")))
}

/// Where `--body` (and a file argument) reads from: `@path`, `-` for stdin, or the text itself.
fn read_source(arg: &str) -> Result<(String, Vec<u8>), CliError> {
    if arg == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Usage(format!("reading the body from stdin: {e}")))?;
        Ok(("stdin".to_owned(), bytes))
    } else if let Some(path) = arg.strip_prefix('@') {
        let bytes = std::fs::read(path).map_err(|e| CliError::Usage(format!("reading the body from {path}: {e}")))?;
        Ok((path.to_owned(), bytes))
    } else {
        Ok(("--body".to_owned(), arg.as_bytes().to_vec()))
    }
}

/// The JSON body in `--body`, decoded into the operation's type before anything is sent; an error
/// names where the body came from and the JSON path that does not fit.
pub fn json_body<T: DeserializeOwned>(args: &clap::ArgMatches) -> Result<Option<T>, CliError> {
    let Some(arg) = args.get_one::<String>("body") else {
        return Ok(None);
    };
    let (source, bytes) = read_source(arg)?;
    decode_body(&source, &bytes).map(Some)
}

/// A top-level field of the JSON body that a flag of its own sets.
#[derive(Clone, Copy, Debug)]
pub struct BodyField {
    /// The argument's id.
    pub id: &'static str,
    /// The field's key in the body.
    pub wire: &'static str,
    /// The flag, without `--`, for messages.
    pub flag: &'static str,
    pub kind: Kind,
}

/// The JSON body from `--body` with the fields given by their own flags set over it (a flag wins
/// over the same key in `--body`), or from the flags alone; decoded into the operation's type
/// before anything is sent. `None` when neither `--body` nor a field flag is given.
pub fn json_body_with_fields<T: DeserializeOwned>(
    args: &clap::ArgMatches,
    fields: &[BodyField],
) -> Result<Option<T>, CliError> {
    let given: Vec<(&BodyField, &String)> = fields
        .iter()
        .filter_map(|field| args.get_one::<String>(field.id).map(|text| (field, text)))
        .collect();
    if given.is_empty() {
        return json_body(args);
    }
    let (source, mut object) = match args.get_one::<String>("body") {
        None => ("the field flags".to_owned(), serde_json::Map::new()),
        Some(arg) => {
            let (source, bytes) = read_source(arg)?;
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(object)) => (source, object),
                Ok(_) => {
                    return Err(CliError::Usage(format!(
                        "bad body in {source}: field flags are set on a JSON object, and this is not one"
                    )))
                }
                Err(e) => return Err(CliError::Usage(format!("bad body in {source}: {e}"))),
            }
        }
    };
    for (field, text) in given {
        let value = field.kind.to_json(&format!("--{}", field.flag), text)?;
        object.insert(field.wire.to_owned(), value);
    }
    let bytes = serde_json::to_vec(&Value::Object(object))
        .map_err(|e| CliError::Usage(format!("bad body from {source}: {e}")))?;
    decode_body(&source, &bytes).map(Some)
}

fn decode_body<T: DeserializeOwned>(source: &str, bytes: &[u8]) -> Result<T, CliError> {
    // The runtime's one decoder (trailing characters are an error too); the path is read back
    // from the text, as for responses.
    serde_json::from_slice(bytes).map_err(|e| {
        let path = crate::runtime::decode::error_path(bytes, &e);
        CliError::Usage(format!("bad body in {source} at `{path}`: {e}"))
    })
}

/// The raw bytes in `--body`, for operations whose body is not JSON.
pub fn raw_body(args: &clap::ArgMatches) -> Result<Option<Vec<u8>>, CliError> {
    args.get_one::<String>("body")
        .map(|arg| read_source(arg).map(|(_, bytes)| bytes))
        .transpose()
}

/// A file to upload, from its path (or `-` for stdin).
pub fn file(args: &clap::ArgMatches, id: &str) -> Result<Option<FileUpload>, CliError> {
    let Some(path) = args.get_one::<String>(id) else {
        return Ok(None);
    };
    let source = if path == "-" {
        "-".to_owned()
    } else {
        format!("@{path}")
    };
    let (source, bytes) = read_source(&source)?;
    let name = std::path::Path::new(&source)
        .file_name()
        .map_or_else(|| source.clone(), |n| n.to_string_lossy().into_owned());
    Ok(Some(FileUpload::new(name, bytes)))
}

/// The `--output` formats by name; the first is the default.
const FORMATS: [(&str, Format); 3] = [
    ("json", Format::Json),
    ("jsonl", Format::Jsonl),
    ("table", Format::Table),
];

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Pretty JSON, the default.
    Json,
    /// One compact JSON value per line: a list's items, else the value.
    Jsonl,
    /// An aligned table of the items' (or the value's) top-level scalar fields.
    Table,
}

impl Format {
    /// The format `--output` names (clap accepts only the names of [`FORMATS`]).
    pub fn from_args(args: &clap::ArgMatches) -> Self {
        let name = args.get_one::<String>("output").map(String::as_str);
        FORMATS
            .iter()
            .find(|(known, _)| Some(*known) == name)
            .map_or(Format::Json, |(_, format)| *format)
    }
}

/// Prints one result. `items` is the wire name of a list's items field, when the value is a page.
pub fn print<T: Serialize>(value: &T, format: Format, items: Option<&str>) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    let mut json = serde_json::to_value(value).map_err(io::Error::other)?;
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &json).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        Format::Jsonl | Format::Table => {
            let rows = match items.and_then(|field| json.get_mut(field)) {
                Some(Value::Array(rows)) => std::mem::take(rows),
                _ => vec![json],
            };
            if format == Format::Jsonl {
                for row in &rows {
                    write_line(&mut out, row)?;
                }
            } else {
                let mut table = Table::new(&rows);
                table.write(&mut out, &rows)?;
            }
        }
    }
    Ok(out.flush()?)
}

/// Writes bytes as they came (a downloaded file).
pub fn print_bytes(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    Ok(out.flush()?)
}

fn write_line(out: &mut impl Write, value: &Value) -> Result<(), CliError> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    Ok(writeln!(out)?)
}

/// Follows every page of a list lazily (one page in memory at a time) and prints its items as they
/// come: JSON lines, table rows, or, for `json`, one JSON array written item by item. `total` reads
/// the page's total item count, when the envelope has one; a progress bar on stderr shows it.
pub async fn print_all<R>(request: R, format: Format, total: fn(&R::Page) -> Option<u64>) -> Result<(), CliError>
where
    R: CursorPaginated,
    R::Item: Serialize,
{
    let progress = progress_bar();
    let mut pages = Box::pin(pagination::pages(request));
    let mut out = io::stdout().lock();
    let mut table: Option<Table> = None;
    let mut printed = 0_u64;
    if format == Format::Json {
        write!(out, "[")?;
    }
    while let Some(page) = next(&mut pages).await {
        let page = page?;
        if let Some(total) = total(&page) {
            progress.set_length(total);
        }
        let rows = R::into_items(page)
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(io::Error::other)?;
        for row in &rows {
            match format {
                Format::Json => {
                    let separator = if printed == 0 { "\n" } else { ",\n" };
                    let text = serde_json::to_string_pretty(row).map_err(io::Error::other)?;
                    write!(out, "{separator}{}", indent(&text))?;
                }
                Format::Jsonl => write_line(&mut out, row)?,
                Format::Table => {}
            }
            printed += 1;
        }
        if format == Format::Table {
            // The columns and widths are the first page's: later pages do not change them.
            table.get_or_insert_with(|| Table::new(&rows)).write(&mut out, &rows)?;
        }
        progress.set_position(printed);
        out.flush()?;
    }
    if format == Format::Json {
        writeln!(out, "{}]", if printed == 0 { "" } else { "\n" })?;
    }
    progress.finish_and_clear();
    Ok(out.flush()?)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}

/// The progress of `--all`: hidden unless stderr is a terminal, so pipes and logs stay clean.
fn progress_bar() -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} items {wide_bar} {elapsed}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// A page's `total` (any integer field, optional or not) as a count.
pub fn count<T: Serialize>(total: &T) -> Option<u64> {
    serde_json::to_value(total).ok()?.as_u64()
}

/// The most characters a table cell shows.
const CELL_WIDTH: usize = 40;

/// An aligned table: the top-level scalar fields of the rows, in the order they first appear
/// (within a row, the JSON object's key order).
struct Table {
    columns: Vec<(String, usize)>,
    header_written: bool,
}

impl Table {
    fn new(rows: &[Value]) -> Self {
        let mut columns: Vec<(String, usize)> = Vec::new();
        for row in rows {
            for (key, value) in row.as_object().into_iter().flatten() {
                if value.is_object() || value.is_array() {
                    continue;
                }
                let width = cell(value).chars().count();
                match columns.iter_mut().find(|(name, _)| name == key) {
                    Some((_, max)) => *max = (*max).max(width),
                    None => columns.push((key.clone(), width.max(key.chars().count()))),
                }
            }
        }
        Table {
            columns,
            header_written: false,
        }
    }

    fn write(&mut self, out: &mut impl Write, rows: &[Value]) -> Result<(), CliError> {
        if !self.header_written {
            let names: Vec<String> = self.columns.iter().map(|(name, _)| name.to_uppercase()).collect();
            self.write_row(out, &names)?;
            self.header_written = true;
        }
        for row in rows {
            let cells = self
                .columns
                .iter()
                .map(|(name, _)| row.get(name).map(cell).unwrap_or_default())
                .collect::<Vec<_>>();
            self.write_row(out, &cells)?;
        }
        Ok(())
    }

    fn write_row(&self, out: &mut impl Write, cells: &[String]) -> Result<(), CliError> {
        let padded: Vec<String> = cells
            .iter()
            .zip(&self.columns)
            .map(|(text, (_, width))| format!("{text:<width$}"))
            .collect();
        Ok(writeln!(out, "{}", padded.join("  ").trim_end())?)
    }
}

/// A scalar as a table cell: strings without quotes, `null` empty, long text cut.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let text = text.replace(['\r', '\n', '\t'], " ");
    if text.chars().count() > CELL_WIDTH {
        let cut: String = text.chars().take(CELL_WIDTH - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exit_codes_follow_the_error_kind() {
        assert_eq!(CliError::Usage("x".into()).exit(), Exit::Usage);
        assert_eq!(CliError::Api(Error::config("no key")).exit(), Exit::Config);
        assert_eq!(CliError::Output(io::Error::other("closed")).exit(), Exit::Other);
    }

    #[test]
    fn an_error_is_one_line() {
        let error = CliError::Usage("a\nb\r\nc".into());
        assert_eq!(error.to_string(), "error: a b  c");
    }

    #[test]
    fn parameter_text_becomes_json_of_its_kind() {
        assert_eq!(Kind::Integer.to_json("--limit", "10").unwrap(), json!(10));
        assert_eq!(Kind::Boolean.to_json("--x", "true").unwrap(), json!(true));
        assert_eq!(Kind::Text.to_json("--x", "10").unwrap(), json!("10"));
        assert_eq!(Kind::Json.to_json("--x", r#"{"a":1}"#).unwrap(), json!({"a": 1}));
        let error = Kind::Integer.to_json("--limit", "ten").unwrap_err().to_string();
        assert_eq!(error, "error: invalid value 'ten' for --limit: expected an integer");
    }

    #[test]
    fn body_field_flags_set_fields_over_the_body_or_make_it_alone() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Body {
            name: String,
            size: Option<i64>,
            tags: Vec<String>,
        }
        const FIELDS: &[BodyField] = &[
            BodyField {
                id: "body.name",
                wire: "name",
                flag: "name",
                kind: Kind::Text,
            },
            BodyField {
                id: "body.size",
                wire: "size",
                flag: "size",
                kind: Kind::Integer,
            },
        ];
        let command = clap::Command::new("t")
            .arg(clap::Arg::new("body").long("body"))
            .arg(clap::Arg::new("body.name").long("name"))
            .arg(clap::Arg::new("body.size").long("size"));
        let read = |argv: &[&str]| {
            let args = command.clone().try_get_matches_from(argv).unwrap();
            json_body_with_fields::<Body>(&args, FIELDS)
        };
        let over = read(&[
            "t",
            "--body",
            r#"{"name":"a","tags":["x"]}"#,
            "--name",
            "b",
            "--size",
            "3",
        ]);
        let expected = Body {
            name: "b".to_owned(),
            size: Some(3),
            tags: vec!["x".to_owned()],
        };
        assert_eq!(over.unwrap(), Some(expected));
        assert_eq!(read(&["t"]).unwrap(), None, "neither the body nor a field");
        // The flags alone make a body, which must still decode: `tags` is required.
        let alone = read(&["t", "--name", "b"]).unwrap_err().to_string();
        assert!(
            alone.starts_with("error: bad body in the field flags at `tags`: missing field `tags`"),
            "{alone}"
        );
        let mistyped = read(&["t", "--name", "b", "--size", "big"]).unwrap_err().to_string();
        assert_eq!(mistyped, "error: invalid value 'big' for --size: expected an integer");
        let not_object = read(&["t", "--body", "[1]", "--name", "b"]).unwrap_err().to_string();
        assert!(
            not_object.contains("field flags are set on a JSON object"),
            "{not_object}"
        );
    }

    #[test]
    fn a_bad_body_names_its_source_and_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Body {
            items: Vec<Item>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            count: u32,
        }
        let error = decode_body::<Body>("data.json", br#"{"items": [{"count": 1}, {"count": "x"}]}"#).unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with("error: bad body in data.json at `items[1].count`: invalid type"),
            "{text}"
        );
        assert_eq!(error.exit(), Exit::Usage);
        let trailing = decode_body::<Item>("stdin", br#"{"count": 1} x"#)
            .unwrap_err()
            .to_string();
        assert!(
            trailing.starts_with("error: bad body in stdin at `.`: trailing characters"),
            "{trailing}"
        );
    }

    #[test]
    fn a_table_aligns_the_scalar_fields_of_every_row() {
        // Keys in alphabetical order, so that the object's key order is the same whether or not
        // serde_json keeps insertion order (a feature another crate of the build may turn on).
        let rows = vec![
            json!({"id": "a", "n": 1, "name": "first", "tags": ["x"]}),
            json!({"id": "bbbb", "n": 22, "zone": null}),
        ];
        let mut out = Vec::new();
        Table::new(&rows).write(&mut out, &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "ID    N   NAME   ZONE\na     1   first\nbbbb  22\n");
    }

    #[test]
    fn a_long_cell_is_cut() {
        let text = cell(&json!("x".repeat(100)));
        assert_eq!(text.chars().count(), CELL_WIDTH);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn counts_read_optional_and_plain_integers() {
        assert_eq!(count(&Some(5_i64)), Some(5));
        assert_eq!(count(&7_i64), Some(7));
        assert_eq!(count(&None::<i64>), None);
    }
}
