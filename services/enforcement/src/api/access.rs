//! Finer access checks than the per-RPC table: the notice source must match the caller's role,
//! a regulator acts and reads within its jurisdiction, a seller and a notifier see their own
//! cases only (redacted), and a notifier files under its own id.

use genuine_runtime::auth::{Principal, Role, ServiceName};
use genuine_runtime::errors::{ServiceError, ServiceResult};

use crate::domain::notice::NoticeDraft;
use crate::domain::vocabulary::NoticeSource;
use crate::store::{Actor, CaseFilter, CaseView, NoticeFilter, NoticeView};

/// The actor to record: the caller in the first of its roles that the RPC allows.
#[must_use]
pub fn actor(p: &Principal, allowed: &[Role]) -> Actor {
    let role = p
        .acting_role_among(allowed)
        .map_or_else(|| p.acting_role().to_owned(), |r| r.as_str().to_owned());
    Actor::new(p.subject.clone(), role)
}

/// Platform staff see everything.
#[must_use]
pub fn is_staff(p: &Principal) -> bool {
    p.has_any(&[Role::Admin, Role::Reviewer])
}

const NOTIFIER_ROLES: [Role; 3] = [Role::RightsHolder, Role::Consumer, Role::TrustedFlagger];

/// The role that may file notices of `source`.
const fn role_for(source: NoticeSource) -> Role {
    match source {
        NoticeSource::RightsHolder => Role::RightsHolder,
        NoticeSource::Consumer => Role::Consumer,
        NoticeSource::TrustedFlagger => Role::TrustedFlagger,
        NoticeSource::Regulator => Role::Regulator,
        NoticeSource::AutomatedDetection => Role::Service(ServiceName::Listing),
    }
}

/// The regulator's jurisdiction from its token.
///
/// # Errors
/// `PERMISSION_DENIED` when the token names none.
pub fn jurisdiction(p: &Principal) -> ServiceResult<String> {
    p.jurisdiction
        .as_deref()
        .map(str::to_ascii_uppercase)
        .ok_or_else(|| {
            ServiceError::permission_denied("the regulator's token names no jurisdiction")
        })
}

/// Checks that `p` may file `draft`: the source matches its role (admins may file any), a
/// notifier files under its own id, a regulator in its own jurisdiction.
///
/// # Errors
/// `PERMISSION_DENIED` naming the mismatch.
pub fn check_submitter(
    p: &Principal,
    source: NoticeSource,
    draft: &NoticeDraft,
) -> ServiceResult<()> {
    if p.has_role(Role::Admin) {
        return Ok(());
    }
    let role = role_for(source);
    if !p.has_role(role) {
        return Err(ServiceError::permission_denied(format!(
            "notices with source {source} are filed by role {role} only"
        )));
    }
    if source != NoticeSource::AutomatedDetection && draft.notifier_id != p.subject {
        return Err(ServiceError::permission_denied(
            "notifier.notifier_id must be the caller's own id",
        ));
    }
    if source == NoticeSource::Regulator {
        let own = jurisdiction(p)?;
        if !draft.jurisdiction.eq_ignore_ascii_case(&own) {
            return Err(ServiceError::permission_denied(format!(
                "a regulator of {own} files notices for {own} only"
            )));
        }
    }
    Ok(())
}

/// Whether `p` may read `notice`.
///
/// # Errors
/// `PERMISSION_DENIED`.
pub fn check_notice(p: &Principal, notice: &NoticeView) -> ServiceResult<()> {
    if is_staff(p) || p.has_any(&NOTIFIER_ROLES) && notice.notifier_id == p.subject {
        return Ok(());
    }
    if p.has_role(Role::Regulator) && notice.jurisdiction.eq_ignore_ascii_case(&jurisdiction(p)?) {
        return Ok(());
    }
    Err(ServiceError::permission_denied(
        "this notice is not yours to read",
    ))
}

/// Narrows a notice listing to what `p` may read.
///
/// # Errors
/// `PERMISSION_DENIED` for a regulator without jurisdiction.
pub fn restrict_notices(p: &Principal, filter: &mut NoticeFilter) -> ServiceResult<()> {
    if is_staff(p) {
        return Ok(());
    }
    if p.has_role(Role::Regulator) {
        filter.jurisdiction = Some(jurisdiction(p)?);
    } else {
        filter.notifier_id = Some(p.subject.clone());
    }
    Ok(())
}

/// How much of a case a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAccess {
    Full,
    /// A party: other people's identities are removed.
    Redacted,
}

/// What `p` may see of `case`.
///
/// # Errors
/// `PERMISSION_DENIED` when it is not the caller's case.
pub fn case_access(p: &Principal, case: &CaseView) -> ServiceResult<CaseAccess> {
    if is_staff(p) {
        return Ok(CaseAccess::Full);
    }
    if p.has_role(Role::Regulator)
        && case
            .case
            .jurisdiction
            .eq_ignore_ascii_case(&jurisdiction(p)?)
    {
        return Ok(CaseAccess::Full);
    }
    let seller = p.has_role(Role::Seller) && case.case.seller_id == p.subject;
    let notifier = p.has_any(&NOTIFIER_ROLES) && case.notifier_ids.contains(&p.subject);
    if seller || notifier {
        return Ok(CaseAccess::Redacted);
    }
    Err(ServiceError::permission_denied(
        "this case is not yours to read",
    ))
}

/// Narrows a case listing to what `p` may read; answers how it sees them.
///
/// # Errors
/// `PERMISSION_DENIED` for a regulator without jurisdiction.
pub fn restrict_cases(p: &Principal, filter: &mut CaseFilter) -> ServiceResult<CaseAccess> {
    if is_staff(p) {
        return Ok(CaseAccess::Full);
    }
    if p.has_role(Role::Regulator) {
        filter.jurisdiction = Some(jurisdiction(p)?);
        return Ok(CaseAccess::Full);
    }
    if p.has_role(Role::Seller) {
        filter.seller_id = Some(p.subject.clone());
    } else {
        filter.notifier_id = Some(p.subject.clone());
    }
    Ok(CaseAccess::Redacted)
}

/// A seller reads only statements about its own listings.
#[must_use]
pub fn statements_of(p: &Principal) -> Option<String> {
    (!is_staff(p) && !p.has_role(Role::Regulator)).then(|| p.subject.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(source: NoticeSource, notifier: &str, jurisdiction: &str) -> NoticeDraft {
        NoticeDraft {
            source: Some(source),
            notifier_id: notifier.into(),
            jurisdiction: jurisdiction.into(),
            ..NoticeDraft::default()
        }
    }

    #[test]
    fn the_source_must_match_the_role() {
        let holder = Principal::new("brand-1", [Role::RightsHolder]);
        assert!(
            check_submitter(
                &holder,
                NoticeSource::RightsHolder,
                &draft(NoticeSource::RightsHolder, "brand-1", "")
            )
            .is_ok()
        );
        let posing = check_submitter(
            &holder,
            NoticeSource::Regulator,
            &draft(NoticeSource::Regulator, "brand-1", "DE"),
        );
        assert!(posing.is_err());
        let other_id = check_submitter(
            &holder,
            NoticeSource::RightsHolder,
            &draft(NoticeSource::RightsHolder, "brand-2", ""),
        );
        assert!(other_id.is_err());
        let listing = Principal::new("listing", [Role::Service(ServiceName::Listing)]);
        assert!(
            check_submitter(
                &listing,
                NoticeSource::AutomatedDetection,
                &draft(NoticeSource::AutomatedDetection, "", "")
            )
            .is_ok()
        );
        assert!(
            check_submitter(
                &listing,
                NoticeSource::Consumer,
                &draft(NoticeSource::Consumer, "listing", "")
            )
            .is_err()
        );
        let admin = Principal::new("root", [Role::Admin]);
        assert!(
            check_submitter(
                &admin,
                NoticeSource::Regulator,
                &draft(NoticeSource::Regulator, "x", "FR")
            )
            .is_ok()
        );
    }

    #[test]
    fn a_regulator_files_in_its_own_jurisdiction() {
        let mut regulator = Principal::new("bnetza", [Role::Regulator]);
        assert!(
            check_submitter(
                &regulator,
                NoticeSource::Regulator,
                &draft(NoticeSource::Regulator, "bnetza", "DE")
            )
            .is_err(),
            "no claim"
        );
        regulator.jurisdiction = Some("de".into());
        assert!(
            check_submitter(
                &regulator,
                NoticeSource::Regulator,
                &draft(NoticeSource::Regulator, "bnetza", "DE")
            )
            .is_ok()
        );
        assert!(
            check_submitter(
                &regulator,
                NoticeSource::Regulator,
                &draft(NoticeSource::Regulator, "bnetza", "FR")
            )
            .is_err()
        );
    }
}
