//! Policy checks of what operators deploy: every overlay under `k8s/overlays/` as
//! `kubectl kustomize` renders it, and the image's `services/genuine/Dockerfile`.
//!
//! The manifests must be trustworthy without editing: probes, a restricted security context,
//! requests and limits, a PodDisruptionBudget and a NetworkPolicy for every Deployment, images
//! pinned by tag, ports that agree between Deployment, Service and configuration, a drain that
//! fits in the termination grace, peer URL schemes and probe ports that follow from whether TLS
//! is on (`tls`), and NetworkPolicies that admit exactly the callers of DESIGN.md's diagram
//! (evaluated, not pattern-matched). `mutations` breaks a rendered overlay on purpose to show
//! that each check can fail.
//!
//! The overlay checks need kubectl, so they run only with `GENUINE_TEST_TOOLS=1` (CI sets it;
//! see `genuine_runtime::testing`); then a missing kubectl fails them, they do not skip. The
//! Dockerfile checks need nothing beyond Rust and always run.

mod autoscalers;
mod deployments;
mod dev_and_production;
mod dockerfile;
mod docs;
mod hardening;
mod mutations;
mod namespace;
mod network_policies;
mod objects;
mod peers;
mod policy_model;
mod render;
mod secrets;
mod suite;
mod tls;
mod workloads;
