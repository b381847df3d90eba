//! Running external programs (cargo, npm, python, ...): one builder, whose errors name the command
//! line, the folder it ran in and how it ended.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use anyhow::{bail, Context, Result};

/// A command line to run: program, arguments, working folder and extra environment.
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    dir: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            dir: None,
            env: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// The folder it runs in (else the current one).
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.dir = Some(dir.as_ref().to_owned());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// The same command run through another that takes a command line (`time`, `prlimit`, `nice`):
    /// `program args… <this command>`, in the same folder and environment.
    pub fn wrapped_in<I>(self, program: impl AsRef<OsStr>, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        let mut wrapped_args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        wrapped_args.push(self.program);
        wrapped_args.extend(self.args);
        Cmd {
            program: program.as_ref().to_owned(),
            args: wrapped_args,
            dir: self.dir,
            env: self.env,
        }
    }

    /// Runs it with the terminal's output; fails unless it exits with success.
    pub fn run(self) -> Result<()> {
        let status = self
            .command()
            .status()
            .with_context(|| format!("could not start {self}"))?;
        if !status.success() {
            bail!("{self} exited with {status}");
        }
        Ok(())
    }

    /// Runs it and returns its standard output; fails unless it exits with success, with both of
    /// its outputs in the error.
    pub fn read(self) -> Result<String> {
        let output = self.output()?;
        if !output.status.success() {
            bail!(
                "{self} exited with {}:\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs it and returns how it ended and what it printed, success or not; fails only when it
    /// cannot be started. For callers that read a failing command's output.
    pub fn output(&self) -> Result<Output> {
        self.command()
            .output()
            .with_context(|| format!("could not start {self}"))
    }

    /// The standard library's command, for a process to start and keep running (a server).
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command
    }
}

/// `` `cargo build -p xtask` in /path `` (arguments with spaces quoted; environment shown when set).
impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = std::iter::once(&self.program)
            .chain(&self.args)
            .map(|word| shell_word(&word.to_string_lossy()))
            .collect();
        let env: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{}={} ", k.to_string_lossy(), shell_word(&v.to_string_lossy())))
            .collect();
        write!(f, "`{}{}`", env.concat(), words.join(" "))?;
        if let Some(dir) = &self.dir {
            write!(f, " in {}", dir.display())?;
        }
        Ok(())
    }
}

/// A word as a shell reads it back: quoted when it is empty or holds a space or a quote.
fn shell_word(word: &str) -> String {
    if word.is_empty() || word.contains([' ', '\t', '\'', '"']) {
        format!("'{}'", word.replace('\'', r"'\''"))
    } else {
        word.to_owned()
    }
}

/// A child process (a server a step starts) that is killed and reaped when this is dropped, also
/// when the step fails or panics.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_with_folder_environment_and_quotes() {
        let cmd = Cmd::new("cargo")
            .args(["clippy", "--", "-D", "warnings"])
            .arg("a b")
            .env("CARGO_INCREMENTAL", "0")
            .dir("/tmp/x");
        assert_eq!(
            cmd.to_string(),
            "`CARGO_INCREMENTAL=0 cargo clippy -- -D warnings 'a b'` in /tmp/x"
        );
    }

    #[test]
    fn a_failing_command_names_itself_and_its_status() {
        let error = Cmd::new("sh").args(["-c", "exit 3"]).run().unwrap_err();
        assert_eq!(error.to_string(), "`sh -c 'exit 3'` exited with exit status: 3");
    }

    #[test]
    fn read_returns_stdout_and_a_failure_carries_both_outputs() {
        let text = Cmd::new("sh").args(["-c", "echo out"]).read().unwrap();
        assert_eq!(text, "out\n");
        let error = Cmd::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 1"])
            .read()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "`sh -c 'echo out; echo err >&2; exit 1'` exited with exit status: 1:\nout\nerr\n"
        );
    }

    #[test]
    fn a_missing_program_is_named() {
        let error = Cmd::new("no-such-program-xtask").run().unwrap_err();
        assert_eq!(
            format!("{error:#}").split(':').next(),
            Some("could not start `no-such-program-xtask`")
        );
    }
}
