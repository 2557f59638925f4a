//! `genuine seller …` commands against the running service.

use std::io::Write as _;

use genuine_reputation::cli::{SellerCommand, connect, run_with};

use crate::support::{As, Running};

async fn run(running: &Running, who: As, cmd: SellerCommand) -> (anyhow::Result<()>, String) {
    let token = running.token(who).expect("token");
    let client = connect(&running.url, &token).expect("client");
    let (mut out, mut progress) = (Vec::new(), Vec::new());
    let result = run_with(cmd, &client, &mut out, &mut progress).await;
    (result, String::from_utf8(out).expect("utf-8"))
}

const CSV: &str = "\
seller_id,legal_name,display_name,email,phone,address_lines,city,postal_code,country_code,trade_register_name,trade_register_number,id_document_ref,payment_account_ref,self_certified
s-1,\"Rossi, S.r.l.\",Rossi,info@rossi.example.it,+39 055 1234567,Via Roma 1|Piano 2,Firenze,50123,IT,Registro,FI-1,doc-1,acct-1,true
s-2,Li Co.,Li,li@example.cn,+86 138 0013 8000,1 Nanjing Rd,Shanghai,200000,CN,SAMR,9131,doc-2,acct-2,yes
s-3,Bad Co.,Bad,,+33 1 23 45 67 89,1 Rue,Paris,75001,FR,RCS,1,doc-3,acct-3,false
";

#[tokio::test]
async fn import_registers_every_good_line_and_names_the_bad_ones() {
    let running =
        Running::start(genuine_runtime::storage::testing::TestDatabase::sqlite().await).await;
    let mut file = tempfile::Builder::new()
        .suffix(".csv")
        .tempfile()
        .expect("file");
    file.write_all(CSV.as_bytes()).expect("write");
    let import = SellerCommand::Import {
        file: file.path().to_path_buf(),
    };
    let (result, out) = run(&running, As::Admin, import.clone()).await;
    assert!(result.is_err(), "one line failed");
    assert!(out.starts_with("registered 2, failed 1"), "{out}");
    assert!(
        out.contains(":4: InvalidArgument: email: is required; self_certified:"),
        "{out}"
    );
    let (_, again) = run(&running, As::Admin, import).await;
    assert!(
        again.starts_with("registered 2, failed 1"),
        "re-running is idempotent: {again}"
    );

    let (result, out) = run(
        &running,
        As::Admin,
        SellerCommand::Get {
            seller_id: "s-1".into(),
        },
    )
    .await;
    result.expect("get");
    assert!(out.contains("legal_name:    Rossi, S.r.l."), "{out}");
    assert!(out.contains("Via Roma 1, Piano 2"), "{out}");

    let suspend = SellerCommand::Suspend {
        seller_id: "s-2".into(),
        reason: "fraud".into(),
        until: None,
    };
    let (result, out) = run(&running, As::Reviewer, suspend).await;
    result.expect("suspend");
    assert!(
        out.starts_with("s-2\tSuspended") && out.contains("suspended until"),
        "{out}"
    );

    let standing = SellerCommand::Standing {
        seller_ids: vec!["s-1".into(), "s-9".into()],
    };
    let (result, out) = run(&running, As::Listing, standing).await;
    result.expect("standing");
    assert_eq!(out, "s-1\tGood\tscore 80\tstrikes 0\ns-9\tnot found\n");

    let list = SellerCommand::List {
        tier: None,
        verification: None,
        limit: 10,
    };
    let (result, out) = run(&running, As::Admin, list).await;
    result.expect("list");
    assert_eq!(out.lines().count(), 2, "{out}");

    let (result, _) = run(
        &running,
        As::Seller("s-1"),
        SellerCommand::Verify {
            seller_id: "s-1".into(),
            outcome: genuine_reputation::cli::OutcomeArg::Verified,
            note: String::new(),
        },
    )
    .await;
    let err = result.expect_err("a seller may not verify");
    assert!(err.to_string().starts_with("PermissionDenied"), "{err}");
    running.stop().await;
}
