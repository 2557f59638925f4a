//! Who may see which seller, beyond the per-RPC role table: traceability data is personal data
//! (DSA Art. 30) for admins, reviewers, the regulator of the seller's country and the seller
//! itself; enforcement gets the trader's identity and contact data, which DSA Art. 32 requires
//! it to give buyers of an illegal product; everyone else sees the public part.

use genuine_runtime::auth::{Principal, Role, ServiceName};
use genuine_runtime::errors::{ServiceError, ServiceResult};

use crate::store::{Actor, SellerFilter};

/// How much of a seller a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Everything, traceability data included.
    Full,
    /// Traceability without the identity-document and payment references (enforcement's buyer
    /// notices, DSA Art. 32).
    Identity,
    /// seller_id, display name and standing.
    Public,
}

fn is_staff(p: &Principal) -> bool {
    p.has_any(&[Role::Admin, Role::Reviewer])
}

/// What `p` may see of the seller `seller_id` registered in `country_code`.
///
/// # Errors
/// PERMISSION_DENIED for a regulator outside its jurisdiction.
pub fn visibility(p: &Principal, seller_id: &str, country_code: &str) -> ServiceResult<Visibility> {
    if is_staff(p) {
        return Ok(Visibility::Full);
    }
    if p.has_role(Role::Seller) && p.subject == seller_id {
        return Ok(Visibility::Full);
    }
    if p.has_role(Role::Regulator) {
        return match p.jurisdiction.as_deref() {
            Some(j) if j.eq_ignore_ascii_case(country_code) => Ok(Visibility::Full),
            Some(j) => Err(ServiceError::permission_denied(format!(
                "a regulator of {j} may read only sellers registered in {j}"
            ))),
            None => Err(no_jurisdiction()),
        };
    }
    if p.has_role(Role::Service(ServiceName::Enforcement)) {
        return Ok(Visibility::Identity);
    }
    Ok(Visibility::Public)
}

/// Like [`visibility`], but the public part is not enough (violation and inspection history).
///
/// # Errors
/// PERMISSION_DENIED unless the caller may see everything.
pub fn require_full(p: &Principal, seller_id: &str, country_code: &str) -> ServiceResult<()> {
    match visibility(p, seller_id, country_code)? {
        Visibility::Full => Ok(()),
        Visibility::Identity | Visibility::Public => Err(ServiceError::permission_denied(
            "a seller may read only its own record",
        )),
    }
}

/// Narrows a ListSellers filter to what `p` may list: a regulator its jurisdiction, a seller
/// itself.
///
/// # Errors
/// PERMISSION_DENIED for a regulator whose token names no jurisdiction.
pub fn restrict(p: &Principal, filter: &mut SellerFilter) -> ServiceResult<()> {
    if is_staff(p) {
        return Ok(());
    }
    if p.has_role(Role::Regulator) {
        let jurisdiction = p.jurisdiction.as_deref().ok_or_else(no_jurisdiction)?;
        filter.country_code = Some(jurisdiction.to_ascii_uppercase());
        return Ok(());
    }
    filter.seller_id = Some(p.subject.clone());
    Ok(())
}

fn no_jurisdiction() -> ServiceError {
    ServiceError::permission_denied("the regulator's token names no jurisdiction")
}

/// The actor to record: the caller in the first of its roles that `allowed` lists.
#[must_use]
pub fn actor(p: &Principal, allowed: &[Role]) -> Actor {
    let role = p
        .acting_role_among(allowed)
        .map_or_else(|| p.acting_role(), Role::as_str);
    Actor::new(p.subject.clone(), role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regulator(jurisdiction: Option<&str>) -> Principal {
        let mut p = Principal::new("reg-1", [Role::Regulator]);
        p.jurisdiction = jurisdiction.map(str::to_owned);
        p
    }

    #[test]
    fn visibility_follows_role_ownership_and_jurisdiction() {
        let cases = [
            (Principal::new("a", [Role::Admin]), Ok(Visibility::Full)),
            (Principal::new("r", [Role::Reviewer]), Ok(Visibility::Full)),
            (Principal::new("s-1", [Role::Seller]), Ok(Visibility::Full)),
            (
                Principal::new("s-2", [Role::Seller]),
                Ok(Visibility::Public),
            ),
            (
                Principal::new("c", [Role::Consumer]),
                Ok(Visibility::Public),
            ),
            (regulator(Some("it")), Ok(Visibility::Full)),
            (regulator(Some("DE")), Err(())),
            (regulator(None), Err(())),
        ];
        for (principal, expected) in cases {
            let got = visibility(&principal, "s-1", "IT").map_err(|_| ());
            assert_eq!(got, expected, "{principal:?}");
        }
    }

    #[test]
    fn lists_are_narrowed_to_what_the_caller_may_see() {
        let mut filter = SellerFilter::default();
        restrict(&regulator(Some("it")), &mut filter).expect("regulator");
        assert_eq!(filter.country_code.as_deref(), Some("IT"));
        let mut filter = SellerFilter::default();
        restrict(&Principal::new("s-9", [Role::Seller]), &mut filter).expect("seller");
        assert_eq!(filter.seller_id.as_deref(), Some("s-9"));
        let mut filter = SellerFilter::default();
        restrict(&Principal::new("a", [Role::Admin]), &mut filter).expect("admin");
        assert!(filter.seller_id.is_none() && filter.country_code.is_none());
        assert!(restrict(&regulator(None), &mut SellerFilter::default()).is_err());
    }

    #[test]
    fn the_actor_is_the_role_the_rpc_allows() {
        let p = Principal::new("u", [Role::Seller, Role::Admin]);
        assert_eq!(actor(&p, &[Role::Admin]), Actor::new("u", "admin"));
    }
}
