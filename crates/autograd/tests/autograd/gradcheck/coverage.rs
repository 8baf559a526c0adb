//! The completeness check of the gradient-check table, by parsing rather than text matching.
//!
//! Why it cannot be fooled by spelling or by a name alone:
//! - The ops are read by `syn`, Rust's own grammar, from every `.rs` file under `src/` at any
//!   depth: every inherent `impl` whose self type is `Var` however it is written (`Var<'t, F>`,
//!   `crate::Var<'a, T>`, `Var<'_, f32>`, through a `type` alias, inside a module or a function)
//!   contributes each of its `pub` fns. Layout, line breaks, comments and `cfg`s do not matter.
//! - Methods hidden from the parser fail the check: a macro invoked inside an `impl Var` block,
//!   or a `macro_rules!` whose body writes an `impl … Var`, is reported as uncheckable.
//! - A row covers an op only if the expression its closure *returns* calls that op (`x.op(…)`
//!   or `Var::op(…)`), read from the table's own source by the same parser; a row's name must be
//!   one of the ops it calls. A name string alone, or a call whose result is discarded in a
//!   `let` statement, covers nothing.
//! - Every row then runs against finite differences (f64 first and second order, f32), so the
//!   call the parser saw is the call that is checked.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// The public inherent `Var` methods defined under `dir`, with their files, and the problems
/// that would hide methods from this check.
pub fn public_var_methods(dir: &Path) -> (Vec<(String, PathBuf)>, Vec<String>) {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    let parsed: Vec<(PathBuf, syn::File)> = files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("source file");
            let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            (path, file)
        })
        .collect();
    let mut aliases = Aliases(BTreeSet::from(["Var".to_string()]));
    parsed.iter().for_each(|(_, file)| aliases.visit_file(file));
    let mut found = Methods {
        aliases: aliases.0,
        file: PathBuf::new(),
        methods: Vec::new(),
        problems: Vec::new(),
    };
    for (path, file) in &parsed {
        found.file = path.clone();
        found.visit_file(file);
    }
    (found.methods, found.problems)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The last path segment of a type, looking through parentheses and groups.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Paren(p) => type_name(&p.elem),
        syn::Type::Group(g) => type_name(&g.elem),
        _ => None,
    }
}

/// Names that denote `Var`: itself and every `type X = …Var…;` alias of it.
struct Aliases(BTreeSet<String>);

impl<'ast> Visit<'ast> for Aliases {
    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        if type_name(&item.ty).is_some_and(|n| n == "Var") {
            self.0.insert(item.ident.to_string());
        }
    }
}

struct Methods {
    aliases: BTreeSet<String>,
    file: PathBuf,
    methods: Vec<(String, PathBuf)>,
    problems: Vec<String>,
}

impl<'ast> Visit<'ast> for Methods {
    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let is_var = type_name(&item.self_ty).is_some_and(|n| self.aliases.contains(&n));
        if is_var && item.trait_.is_none() {
            for member in &item.items {
                match member {
                    syn::ImplItem::Fn(f) if matches!(f.vis, syn::Visibility::Public(_)) => {
                        self.methods
                            .push((f.sig.ident.to_string(), self.file.clone()));
                    }
                    syn::ImplItem::Macro(m) => self.problems.push(format!(
                        "{:?}: macro {} inside an impl of Var hides its methods",
                        self.file,
                        quote_path(&m.mac.path)
                    )),
                    _ => {}
                }
            }
        }
        syn::visit::visit_item_impl(self, item);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if writes_inherent_impl(item.mac.tokens.clone(), &self.aliases) {
            self.problems.push(format!(
                "{:?}: macro {} writes an inherent impl of Var; its methods cannot be checked",
                self.file,
                quote_path(&item.mac.path)
            ));
        }
        syn::visit::visit_item_macro(self, item);
    }
}

fn quote_path(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// Whether tokens (a macro's body, at any depth) hold `impl … Var … {` without a `for`: an
/// inherent impl of `Var` (trait impls such as the operators only forward to the ops).
fn writes_inherent_impl(tokens: proc_macro2::TokenStream, aliases: &BTreeSet<String>) -> bool {
    use proc_macro2::{Delimiter, TokenTree};
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    tokens.iter().enumerate().any(|(i, token)| match token {
        TokenTree::Group(g) => writes_inherent_impl(g.stream(), aliases),
        TokenTree::Ident(id) if id == "impl" => {
            let header = tokens[i + 1..].iter().take_while(
                |t| !matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace),
            );
            let names: Vec<String> = header
                .filter_map(|t| match t {
                    TokenTree::Ident(id) => Some(id.to_string()),
                    _ => None,
                })
                .collect();
            !names.iter().any(|n| n == "for") && names.iter().any(|n| aliases.contains(n))
        }
        _ => false,
    })
}

/// One `row(name, shapes, domain, closure)` of the table: its name and the ops called in the
/// expression its closure returns.
pub struct RowCalls {
    pub name: String,
    pub calls: BTreeSet<String>,
}

/// The rows of the `table` function in `source`.
pub fn table_rows(source: &str) -> Vec<RowCalls> {
    let file = syn::parse_file(source).expect("the table's source parses");
    let table = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Fn(f) if f.sig.ident == "table" => Some(f),
            _ => None,
        })
        .expect("a fn table");
    let mut rows = Rows(Vec::new());
    rows.visit_block(&table.block);
    rows.0
}

struct Rows(Vec<RowCalls>);

impl<'ast> Visit<'ast> for Rows {
    /// Reads into `vec![…]`, whose elements the parser otherwise leaves as tokens.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        use syn::punctuated::Punctuated;
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(elements) = mac.parse_body_with(parser) {
            elements.iter().for_each(|e| self.visit_expr(e));
        }
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let is_row = matches!(&*call.func, syn::Expr::Path(p) if p.path.is_ident("row"));
        let args: Vec<&syn::Expr> = call.args.iter().collect();
        if let (true, [syn::Expr::Lit(name), _, _, syn::Expr::Closure(closure)]) =
            (is_row, args.as_slice())
        {
            let syn::Lit::Str(name) = &name.lit else {
                panic!("a row's name must be a string literal")
            };
            let mut calls = Calls(BTreeSet::new());
            calls.visit_expr(returned(&closure.body));
            self.0.push(RowCalls {
                name: name.value(),
                calls: calls.0,
            });
            return;
        }
        syn::visit::visit_expr_call(self, call);
    }
}

/// The expression a closure body returns: the tail of a block (statements before it only
/// prepare arguments), or the body itself.
fn returned(body: &syn::Expr) -> &syn::Expr {
    match body {
        syn::Expr::Block(block) => match block.block.stmts.last() {
            Some(syn::Stmt::Expr(tail, None)) => returned(tail),
            _ => panic!("a row's closure must end in the expression it returns"),
        },
        other => other,
    }
}

/// The names of every method and path call in an expression, at any depth.
struct Calls(BTreeSet<String>);

impl<'ast> Visit<'ast> for Calls {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.0.insert(call.method.to_string());
        syn::visit::visit_expr_method_call(self, call);
    }
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*call.func {
            let last = p.path.segments.last().expect("a path has a segment");
            self.0.insert(last.ident.to_string());
        }
        syn::visit::visit_expr_call(self, call);
    }
}
