//! The examples' command lines, parsed with lexopt: `--name VALUE` options and `--help`.

use std::collections::HashMap;
use std::str::FromStr;

/// The options given on the command line, by name.
pub struct Options(HashMap<String, String>);

/// Parses the command line: `--help` prints `usage` and exits; `--name VALUE` or
/// `--name=VALUE` for each name in `names`; anything else prints what is wrong and `usage`,
/// and exits with status 2.
pub fn parse(usage: &str, names: &[&str]) -> Options {
    match read(names) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{usage}");
            std::process::exit(0);
        }
        Err(error) => fail(usage, &error.to_string()),
    }
}

/// The options, or `None` for `--help`.
fn read(names: &[&str]) -> Result<Option<Options>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut options = HashMap::new();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Long(name) if names.contains(&name) => {
                let name = name.to_string();
                options.insert(name, parser.value()?.string()?);
            }
            other => return Err(other.unexpected()),
        }
    }
    Ok(Some(Options(options)))
}

/// Prints `message` and `usage` on stderr and exits with status 2.
pub fn fail(usage: &str, message: &str) -> ! {
    eprintln!("error: {message}\n\n{usage}");
    std::process::exit(2);
}

impl Options {
    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value of `--name` parsed as a `T`, or `default`; a value that does not parse
    /// fails with `usage`.
    #[allow(dead_code)] // not every example has a numeric option
    pub fn parse_or<T: FromStr>(&self, name: &str, default: T, usage: &str) -> T {
        match self.get(name).map(str::parse) {
            None => default,
            Some(Ok(value)) => value,
            Some(Err(_)) => fail(usage, &format!("--{name}: cannot read {:?}", self.0[name])),
        }
    }
}

/// The `--data DIR` option of the MNIST examples, for their `--help`: the files, and where to
/// get them.
#[allow(dead_code)] // only the MNIST examples use it
pub const MNIST_DATA: &str =
    "  --data DIR  the directory holding the four MNIST files, plain or .gz:
              train-images-idx3-ubyte, train-labels-idx1-ubyte,
              t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte
  -h, --help  this text

MNIST is by Y. LeCun, C. Cortes and C. J. C. Burges (CC BY-SA 3.0). Download the
four .gz files from http://yann.lecun.com/exdb/mnist/ or a mirror such as
https://ossci-datasets.s3.amazonaws.com/mnist/ into one directory and pass it.";

/// MNIST from the directory given as `--data DIR`; without it, or when it cannot be read,
/// fails with what is wrong and `usage`.
#[allow(dead_code)] // only the MNIST examples use it
pub fn mnist(options: &Options, usage: &str) -> descent::data::Mnist {
    let Some(dir) = options.get("data") else {
        fail(usage, "--data DIR is required");
    };
    descent::data::Mnist::load(dir).unwrap_or_else(|error| fail(usage, &error.to_string()))
}
