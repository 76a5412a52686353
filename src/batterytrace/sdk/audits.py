"""What auditors do with the registry: activate facilities, certify them, record risk findings at
sites and of operators, and set process parameters and a recycler's recycled input split. Each
operation checks the caller is an auditor and the inputs are valid before sending."""

from __future__ import annotations

from datetime import datetime

from eth_utils import to_checksum_address

from batterytrace.evm.chain import Receipt
from batterytrace.exceptions import (
    CertificationError,
    EvidenceRequiredError,
    FacilityAlreadyActiveError,
    FacilityNotAllowedError,
    NotRecyclerError,
    SchemeNotCoveredError,
)
from batterytrace.model.facilities import facility_metal, may_operate, scheme_covers
from batterytrace.model.identifiers import country_code, evidence_hash
from batterytrace.model.lots import BPS, METAL_NAMES
from batterytrace.model.membership import MembershipSet, participant_key
from batterytrace.model.registry import Certification, CertificationStatus, FacilityType, Role, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.registry import RegistryOperations, require_not_backdated

#: The risk flags a finding may carry (bits 0..3, as ``Registry`` checks).
_FLAG_MASK = 0x0F
_UINT32_MAX = 2**32 - 1


def _require_flags(risk_flags: RiskFlag | int, allow_artisanal: bool = True) -> int:
    value = int(risk_flags)
    if value & ~_FLAG_MASK or (not allow_artisanal and value & int(RiskFlag.ARTISANAL)):
        raise ValueError(f"risk flags {value:#x} are outside the defined findings"
                         + ("" if allow_artisanal else " (the artisanal flag belongs to a site, not an operator)"))
    return value


def _require_evidence_to_clear(old: int, new: int, evidence: str | bytes | None, action: str) -> None:
    """Twin of ``Registry._requireEvidenceToClear``: clearing a flag needs its evidence."""
    if old & ~new and evidence_hash(evidence) == bytes(32):
        raise EvidenceRequiredError(action)


def _require_covered(scheme: Scheme, facility_type: FacilityType) -> None:
    """Twin of ``RegistrySchemeDoesNotCover``: the scheme covers the metal of the site's type."""
    if not scheme_covers(scheme, facility_type):
        metal = facility_metal(facility_type)
        raise SchemeNotCoveredError(scheme, facility_type, None if metal is None else METAL_NAMES[metal])


class AuditOperations(RegistryOperations):
    """The auditor's registry operations (every method here needs the AUDITOR role)."""

    def activate_facility(
        self,
        facility_id: int,
        evidence: str | bytes,
        *,
        facility_type: FacilityType | None = None,
        country: str | None = None,
        risk_flags: RiskFlag | int = 0,
        max_yield_loss_bps: int = 0,
        co2e_floor_grams_per_kg: int = 0,
    ) -> Receipt:
        """Activate a registered facility after its audit, with what the audit found: the type and
        country (by default those the operator declared), the site's risk findings, the maximum
        yield loss and the emissions floor (grams CO2e per kg of contained metal minted at an origin
        site, per kg processed elsewhere). Lots are minted or transformed only at active facilities; the
        findings attach to the operator too, so its other sites inherit them."""
        self.require_role(Role.AUDITOR)
        site = self.facility(facility_id)
        if site.active:
            raise FacilityAlreadyActiveError(facility_id)
        facility_type = site.facility_type if facility_type is None else facility_type
        operator_role = self.participant(site.operator).role
        if not may_operate(operator_role, facility_type):
            raise FacilityNotAllowedError(facility_id, site.operator, f"may not be a {facility_type.name}: its operator is a {operator_role.value}")
        for certification_id in self.registry.functions.facilityCertifications(facility_id).call():
            _require_covered(self.certification(certification_id).scheme, facility_type)
        flags = _require_flags(risk_flags)
        self._require_parameters(max_yield_loss_bps, co2e_floor_grams_per_kg)
        if evidence_hash(evidence) == bytes(32):
            raise EvidenceRequiredError(f"activating facility {facility_id}")
        return self.send_with_siblings(
            lambda: self.registry.functions.activateFacility(
                facility_id, int(facility_type), country_code(country or site.country), flags, max_yield_loss_bps,
                co2e_floor_grams_per_kg, evidence_hash(evidence), self._operator_siblings(site.operator),
            ),
            f"activate facility {facility_id}",
        )

    def certify(
        self, facility_id: int, scheme: Scheme, valid_from: datetime | None, valid_until: datetime,
        evidence: str | bytes | None = None,
    ) -> Certification:
        """Certify a facility under a scheme (auditors only) and return the certification.

        ``valid_from`` None starts the window at the recording block (sent as zero); a given start
        must lie after the chain's latest block: a certification is never back-dated, so what
        ``is_certified`` answered for a past time stays true.
        """
        self.require_role(Role.AUDITOR)
        _require_covered(scheme, self.facility(facility_id).facility_type)
        latest = self.chain.latest_timestamp()
        start, end = (0 if valid_from is None else int(valid_from.timestamp())), int(valid_until.timestamp())
        if max(start, latest) >= end:
            raise CertificationError(None, f"the validity window {valid_from or 'now'} .. {valid_until} is empty")
        if valid_from is not None:
            require_not_backdated(start, latest)
        receipt = self.send(
            self.registry.functions.certify(facility_id, int(scheme), start, end, evidence_hash(evidence)),
            f"certify facility {facility_id} under {scheme.name}",
        )
        certification_id = self.events(receipt, self.registry, "CertificationIssued")[0]["args"]["certificationId"]
        return self.certification(certification_id)

    def suspend_certification(self, certification_id: int, reason: str) -> Receipt:
        return self._end_certification(certification_id, reason, suspend=True)

    def revoke_certification(self, certification_id: int, reason: str) -> Receipt:
        return self._end_certification(certification_id, reason, suspend=False)

    def _end_certification(self, certification_id: int, reason: str, suspend: bool) -> Receipt:
        self.require_role(Role.AUDITOR)
        current = self.certification(certification_id)
        if current.status is not CertificationStatus.ACTIVE:
            raise CertificationError(certification_id, f"certification {certification_id} is {current.status.name}, not ACTIVE")
        function = self.registry.functions.suspendCertification if suspend else self.registry.functions.revokeCertification
        verb = "suspend" if suspend else "revoke"
        return self.send_with_siblings(
            lambda: function(certification_id, evidence_hash(reason),
                             self.trees.siblings(MembershipSet.CERTIFICATIONS, certification_id)),
            f"{verb} certification {certification_id}",
        )

    def record_risk_finding(self, facility_id: int, risk_flags: RiskFlag, evidence: str | bytes | None = None) -> Receipt:
        """Record an audit's risk flags for a facility (its operator's other sites inherit them).
        Clearing a flag the site had needs evidence."""
        self.require_role(Role.AUDITOR)
        flags = _require_flags(risk_flags)
        site = self.facility(facility_id)
        own = int(site.risk_flags) & ~int(self.operator_risk_flags(site.operator))
        _require_evidence_to_clear(own, flags | (own & int(RiskFlag.ARTISANAL)), evidence, f"clearing flags at facility {facility_id}")
        return self.send_with_siblings(
            lambda: self.registry.functions.recordRiskFinding(
                facility_id, flags, evidence_hash(evidence), self.trees.siblings(MembershipSet.FACILITIES, facility_id),
                self._operator_siblings(site.operator)),
            f"record risk finding at facility {facility_id}",
        )

    def record_operator_risk_finding(self, operator: str, risk_flags: RiskFlag, evidence: str | bytes | None = None) -> Receipt:
        """Set the risk flags of an operator, which all its sites inherit: an auditor clears them
        (with evidence) once the operator is shown clean."""
        self.require_role(Role.AUDITOR)
        flags = _require_flags(risk_flags, allow_artisanal=False)
        operator = to_checksum_address(operator)
        self.participant(operator)
        _require_evidence_to_clear(int(self.operator_risk_flags(operator)), flags, evidence, f"clearing the flags of {operator}")
        return self.send_with_siblings(
            lambda: self.registry.functions.recordOperatorRiskFinding(operator, flags, evidence_hash(evidence),
                                                                      self._operator_siblings(operator)),
            f"record risk finding of operator {operator}",
        )

    def set_process_parameters(self, facility_id: int, max_yield_loss_bps: int, co2e_floor_grams_per_kg: int = 0) -> Receipt:
        """Set a facility's audited maximum yield loss and emissions floor (see ``activate_facility``)."""
        self.require_role(Role.AUDITOR)
        self._require_parameters(max_yield_loss_bps, co2e_floor_grams_per_kg)
        self.facility(facility_id)
        return self.send_with_siblings(
            lambda: self.registry.functions.setProcessParameters(
                facility_id, max_yield_loss_bps, co2e_floor_grams_per_kg, self.trees.siblings(MembershipSet.FACILITIES, facility_id)),
            f"set process parameters of facility {facility_id}",
        )

    def set_recycled_input_split(self, facility_id: int, pre_consumer_bps: int) -> Receipt:
        """Set the share of a recycler's input stream the audit found pre-consumer (production
        scrap), basis points; the rest is post-consumer (end-of-life batteries). Every origin lot
        minted there afterwards splits its recycled grams of each metal by it."""
        self.require_role(Role.AUDITOR)
        if type(pre_consumer_bps) is not int or not 0 <= pre_consumer_bps <= BPS:
            raise ValueError(f"pre_consumer_bps must be an integer 0..10000, not {pre_consumer_bps!r}")
        site = self.facility(facility_id)
        if site.facility_type is not FacilityType.RECYCLER:
            raise NotRecyclerError(facility_id, site.facility_type)
        return self.send_with_siblings(
            lambda: self.registry.functions.setRecycledInputSplit(
                facility_id, pre_consumer_bps, self.trees.siblings(MembershipSet.FACILITIES, facility_id)),
            f"set the recycled input split of facility {facility_id}",
        )

    def _operator_siblings(self, operator: str) -> list[int]:
        return self.trees.siblings(MembershipSet.PARTICIPANTS, participant_key(operator))

    @staticmethod
    def _require_parameters(max_yield_loss_bps: int, co2e_floor_grams_per_kg: int) -> None:
        if not 0 <= max_yield_loss_bps <= BPS:
            raise ValueError(f"max_yield_loss_bps must be 0..10000, not {max_yield_loss_bps}")
        if not 0 <= co2e_floor_grams_per_kg <= _UINT32_MAX:
            raise ValueError(f"co2e_floor_grams_per_kg must be 0..2^32-1, not {co2e_floor_grams_per_kg}")
