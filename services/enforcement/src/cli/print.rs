//! Plain-text output of the commands: one line per item, tab-separated, details indented.

use std::io::{self, Write};

use genuine_contracts::genuine::enforcement::v1 as pb;
use prost_types::Timestamp;

fn time(t: Option<&Timestamp>) -> String {
    t.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
        .map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
}

fn name<E: TryFrom<i32>>(value: i32, to_str: impl Fn(&E) -> &'static str) -> &'static str {
    E::try_from(value).map_or("UNKNOWN", |e| to_str(&e))
}

pub fn notice(out: &mut dyn Write, n: Option<&pb::Notice>) -> io::Result<()> {
    let Some(n) = n else { return Ok(()) };
    writeln!(
        out,
        "{}\t{}\t{}\t{}\tcases: {}",
        n.notice_id,
        name(n.source, pb::NoticeSource::as_str_name),
        name(n.ground, pb::NoticeGround::as_str_name),
        time(n.receipt_time.as_ref()),
        n.case_ids.join(",")
    )
}

pub fn case(out: &mut dyn Write, c: Option<&pb::Case>, timeline: bool) -> io::Result<()> {
    let Some(c) = c else { return Ok(()) };
    writeln!(
        out,
        "{}\t{}\tlisting {}\tseller {}\tpriority {}\t{}",
        c.case_id,
        name(c.status, pb::CaseStatus::as_str_name),
        c.listing_id,
        c.seller_id,
        c.priority,
        name(c.ground, pb::NoticeGround::as_str_name)
    )?;
    if timeline {
        for e in &c.timeline {
            let who = e.actor.as_ref().map_or("", |a| a.subject.as_str());
            writeln!(
                out,
                "  {}\t{}\t{}\t{}",
                time(e.event_time.as_ref()),
                name(e.kind, pb::CaseEventKind::as_str_name),
                who,
                e.detail
            )?;
        }
        if let Some(end) = &c.window_end_time {
            writeln!(out, "  window ends {}", time(Some(end)))?;
        }
    }
    Ok(())
}

pub fn appeal(out: &mut dyn Write, a: Option<&pb::Appeal>) -> io::Result<()> {
    let Some(a) = a else { return Ok(()) };
    writeln!(
        out,
        "{}\tcase {}\t{}\t{}",
        a.appeal_id,
        a.case_id,
        name(a.status, pb::AppealStatus::as_str_name),
        name(a.outcome, pb::AppealOutcome::as_str_name)
    )
}

pub fn report(out: &mut dyn Write, r: Option<&pb::TransparencyReport>) -> io::Result<()> {
    let Some(r) = r else { return Ok(()) };
    let seconds = |d: Option<&prost_types::Duration>| {
        d.map_or_else(|| "-".to_owned(), |d| format!("{}s", d.seconds))
    };
    writeln!(
        out,
        "period\t{} .. {}",
        time(r.start_time.as_ref()),
        time(r.end_time.as_ref())
    )?;
    writeln!(out, "notices\t{}", r.notices_total)?;
    for s in &r.notices_by_source {
        writeln!(
            out,
            "  source {}\t{}",
            name(s.source, pb::NoticeSource::as_str_name),
            s.count
        )?;
    }
    for g in &r.notices_by_ground {
        writeln!(
            out,
            "  ground {}\t{}",
            name(g.ground, pb::NoticeGround::as_str_name),
            g.count
        )?;
    }
    writeln!(
        out,
        "upheld\t{}\nrejected\t{}",
        r.cases_upheld, r.cases_rejected
    )?;
    writeln!(out, "automated share\t{:.3}", r.automated_detection_share)?;
    writeln!(
        out,
        "notice to action\tmedian {}\tp90 {}",
        seconds(r.median_notice_to_action.as_ref()),
        seconds(r.p90_notice_to_action.as_ref())
    )?;
    writeln!(
        out,
        "counter-notices\t{}\nrestorations\t{}\nlegal actions\t{}\nappeals\t{}\nreversals\t{}\nnotifiers suspended\t{}",
        r.counter_notices,
        r.restorations_after_window,
        r.legal_actions_confirmed,
        r.appeals,
        r.reversals,
        r.notifiers_suspended
    )
}

pub fn head(out: &mut dyn Write, h: Option<&pb::AuditLogHead>) -> io::Result<()> {
    let Some(h) = h else { return Ok(()) };
    writeln!(
        out,
        "size {}\troot {}\tat {}\tkey {}\tsignature {}",
        h.tree_size,
        hex::encode(&h.root_hash),
        time(h.head_time.as_ref()),
        h.key_id,
        hex::encode(&h.signature)
    )
}

pub fn verification(out: &mut dyn Write, v: &pb::VerifyAuditLogResponse) -> io::Result<()> {
    if v.ok {
        writeln!(out, "ok\t{} entries", v.entries_checked)?;
    } else {
        writeln!(
            out,
            "BAD\tentry {}\t{}\t{}",
            v.first_bad_index.unwrap_or_default(),
            name(v.problem, pb::AuditProblem::as_str_name),
            v.detail
        )?;
    }
    head(out, v.head.as_ref())
}
