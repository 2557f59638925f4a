//! The image's `services/genuine/Dockerfile`: multi-stage with a cached dependency layer,
//! pinned bases, and a distroless final stage that runs `/genuine` as the nonroot user without a
//! shell. Needs no tool beyond Rust, so it always runs.

use std::collections::BTreeSet;

use crate::render::repo_root;
use crate::suite::NONROOT_UID;

/// One instruction: keyword and arguments, continuation lines joined.
fn dockerfile_instructions(text: &str) -> Vec<(String, String)> {
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if trimmed.starts_with('#') {
            continue; // a comment inside a continued instruction
        }
        if let Some(body) = trimmed.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (keyword, args) = current
            .split_once(char::is_whitespace)
            .unwrap_or((&current, ""));
        instructions.push((keyword.to_ascii_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    instructions
}

struct Stage {
    base: String,
    name: Option<String>,
    instructions: Vec<(String, String)>,
}

fn dockerfile_stages(text: &str) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for (keyword, args) in dockerfile_instructions(text) {
        if keyword == "FROM" {
            let words: Vec<&str> = args
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let name = match words.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some((*name).to_owned()),
                _ => None,
            };
            stages.push(Stage {
                base: words.first().copied().unwrap_or_default().to_owned(),
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push((keyword, args));
        }
    }
    stages
}

pub fn check_dockerfile(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let stages = dockerfile_stages(text);
    if stages.len() < 2 {
        return vec![format!(
            "{} stage(s): not a multi-stage build",
            stages.len()
        )];
    }
    let names: BTreeSet<&str> = stages.iter().filter_map(|s| s.name.as_deref()).collect();
    for stage in &stages {
        let base = stage.base.as_str();
        let is_stage = names.contains(base);
        let last = base.rsplit('/').next().unwrap_or_default();
        let pinned = base == "scratch"
            || base.contains("@sha256:")
            || last.split_once(':').is_some_and(|(_, t)| t != "latest");
        if !is_stage && !pinned {
            found.push(format!("FROM {base}: not pinned by tag or digest"));
        }
    }
    let last = stages.last().expect("two or more");
    let distroless = last.base.starts_with("gcr.io/distroless/") || last.base == "scratch";
    if !distroless {
        found.push(format!(
            "final stage FROM {}: neither distroless nor scratch",
            last.base
        ));
    }
    if last.base.starts_with("gcr.io/distroless/") && last.base.contains(":debug") {
        found.push("final stage is a distroless :debug image, which has a shell".into());
    }
    let of = |k: &'static str| {
        last.instructions
            .iter()
            .filter(move |(keyword, _)| keyword == k)
            .map(|(_, a)| a.as_str())
    };
    if of("RUN").next().is_some() {
        found.push("final stage RUNs a command, which needs a shell".into());
    }
    match of("USER").next_back() {
        None => found.push("final stage sets no USER: it would run as root".into()),
        Some(user) => {
            let uid = user.split(':').next().unwrap_or_default();
            if uid != NONROOT_UID.to_string() {
                found.push(format!("final stage USER {user}: not {NONROOT_UID} (numeric, so runAsNonRoot can verify it)"));
            }
        }
    }
    match of("ENTRYPOINT").next_back() {
        None => found.push("final stage has no ENTRYPOINT".into()),
        Some(entrypoint) => match serde_json::from_str::<Vec<String>>(entrypoint) {
            Err(_) => found.push(format!(
                "ENTRYPOINT {entrypoint}: shell form (needs /bin/sh)"
            )),
            Ok(argv) if argv != ["/genuine"] => {
                found.push(format!("ENTRYPOINT {argv:?}: not [\"/genuine\"]"))
            }
            Ok(_) => {}
        },
    }
    for cmd in of("CMD") {
        if serde_json::from_str::<Vec<String>>(cmd).is_err() {
            found.push(format!("CMD {cmd}: shell form (needs /bin/sh)"));
        }
    }
    let copies_binary = of("COPY").any(|args| {
        args.split_whitespace()
            .any(|w| w.strip_prefix("--from=").is_some_and(|s| names.contains(s)))
            && args.split_whitespace().last() == Some("/genuine")
    });
    if !copies_binary {
        found.push("final stage does not COPY /genuine from a build stage".into());
    }
    // Dependencies are built in a layer of their own, before the sources are copied in.
    let builder = stages.iter().find(|s| {
        s.instructions
            .iter()
            .any(|(k, a)| k == "RUN" && a.contains("cargo build"))
    });
    match builder {
        None => found.push("no stage runs `cargo build`".into()),
        Some(builder) => {
            let position = |pred: &dyn Fn(&str, &str) -> bool| {
                builder.instructions.iter().position(|(k, a)| pred(k, a))
            };
            let cook = position(&|k, a| k == "RUN" && a.contains("cargo chef cook"));
            let sources = position(&|k, a| k == "COPY" && a.split_whitespace().next() == Some("."));
            let build = position(&|k, a| k == "RUN" && a.contains("cargo build"));
            if !matches!((cook, sources, build), (Some(c), Some(s), Some(b)) if c < s && s < b) {
                found.push("no cached dependency layer: `cargo chef cook` must run before the sources are copied and built".into());
            }
            if let Some(b) = build {
                let args = &builder.instructions[b].1;
                for flag in ["--release", "--locked", "-p genuine"] {
                    if !args.contains(flag) {
                        found.push(format!("`cargo build` without {flag}"));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn dockerfile_is_multi_stage_distroless_nonroot_without_shell() {
    let path = repo_root().join("services/genuine/Dockerfile");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let found = check_dockerfile(&text);
    assert!(found.is_empty(), "{}", found.join("\n"));
    let ignore = repo_root().join("services/genuine/Dockerfile.dockerignore");
    let ignore = std::fs::read_to_string(&ignore).unwrap_or_default();
    assert!(
        ignore.lines().any(|l| l.trim() == "**/target"),
        "Dockerfile.dockerignore must keep target/ out of the build context"
    );
}
