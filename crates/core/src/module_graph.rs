//! A test that keeps the module graph acyclic: calls flow one way (api → guard → core → library), and
//! inside the core a module never reaches back to one that uses it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name → the modules of this crate it names (`crate::x`, `crate::wallet::y`, `super::y`).
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let name = rel.to_string_lossy().replace("/mod", "").replace('/', "::");
            let parent = name.rsplit_once("::").map(|(p, _)| p.to_string());
            let text = std::fs::read_to_string(&path).unwrap();
            // Test modules may reach anywhere.
            let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
            let mut refs = BTreeSet::new();
            for (prefix, base) in [("crate::", None), ("super::", parent.as_deref())] {
                for (i, _) in text.match_indices(prefix) {
                    let rest = &text[i + prefix.len()..];
                    let ident =
                        |s: &str| s.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit()).collect::<String>();
                    let first = ident(rest);
                    if first.is_empty() {
                        continue;
                    }
                    let module = match base {
                        Some(p) => format!("{p}::{first}"),
                        None if first == "wallet" => match ident(rest.strip_prefix("wallet::").unwrap_or("")) {
                            s if s.is_empty() => first,
                            s => format!("wallet::{s}"),
                        },
                        None => first,
                    };
                    if module != name {
                        refs.insert(module);
                    }
                }
            }
            out.insert(name, refs);
        }
    }
    out
}

/// One cycle, if there is any.
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(n: &str, g: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            return Some(path[i..].to_vec());
        }
        if !done.insert(n.to_string()) {
            return None;
        }
        path.push(n.to_string());
        for r in g.get(n).into_iter().flatten().filter(|r| g.contains_key(*r)) {
            if let Some(c) = visit(r, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    g.keys().find_map(|n| visit(n, g, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_cycles() {
    let g = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(g.len() > 30, "the graph was not read: {g:?}");
    assert!(g["wallet::entry"].contains("wallet::gate"), "references are not being found");
    assert_eq!(cycle(&g), None);
}
