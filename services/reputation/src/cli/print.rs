//! Plain-text output of the CLI: one seller as labelled lines, lists as tab-separated rows.

use std::io::{self, Write};

use genuine_contracts::genuine::reputation::v1 as pb;

fn time(ts: Option<&prost_types::Timestamp>) -> String {
    ts.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

/// A standing as one tab-separated row.
pub fn standing(out: &mut dyn Write, s: &pb::SellerStanding) -> io::Result<()> {
    let suspended = if s.suspended {
        format!("\tsuspended until {}", time(s.suspension_end_time.as_ref()))
    } else {
        String::new()
    };
    writeln!(
        out,
        "{}\t{:?}\tscore {}\tstrikes {}{}{}",
        s.seller_id,
        s.tier(),
        s.score,
        s.active_strikes,
        if s.warned { "\twarned" } else { "" },
        suspended
    )
}

/// A seller as one row of a list.
pub fn seller_line(out: &mut dyn Write, seller: &pb::Seller) -> io::Result<()> {
    let s = seller.standing.clone().unwrap_or_default();
    writeln!(
        out,
        "{}\t{}\t{:?}\t{:?}\tscore {}",
        seller.seller_id,
        seller.display_name,
        seller.verification_status(),
        s.tier(),
        s.score
    )
}

/// A seller in full.
pub fn seller(out: &mut dyn Write, seller: Option<&pb::Seller>) -> io::Result<()> {
    let Some(seller) = seller else {
        return writeln!(out, "(no seller in the answer)");
    };
    writeln!(out, "seller_id:     {}", seller.seller_id)?;
    writeln!(out, "display_name:  {}", seller.display_name)?;
    writeln!(out, "verification:  {:?}", seller.verification_status())?;
    writeln!(out, "registered:    {}", time(seller.create_time.as_ref()))?;
    if let Some(t) = &seller.traceability {
        let address = t.address.clone().unwrap_or_default();
        writeln!(out, "legal_name:    {}", t.legal_name)?;
        writeln!(out, "email:         {}", t.email)?;
        writeln!(out, "phone:         {}", t.phone)?;
        writeln!(
            out,
            "address:       {}, {} {} {} {}",
            address.lines.join(", "),
            address.postal_code,
            address.city,
            address.region,
            address.country_code
        )?;
        writeln!(
            out,
            "trade_register: {} {}",
            t.trade_register_name, t.trade_register_number
        )?;
    }
    if let Some(s) = &seller.standing {
        write!(out, "standing:      ")?;
        standing(out, s)?;
    }
    Ok(())
}
