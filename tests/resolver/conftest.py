"""A running resolver over a world with two published passports and one unpublished, and the
participants of every role the tiers name: the legitimate-interest roles registered here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from batterytrace.demo.data import example_pack_passport_input
from batterytrace.documents.batterypass import build_passport_document
from batterytrace.documents.canonical import document_hash
from batterytrace.documents.claims import proven_claims
from batterytrace.documents.tiers import AccessTier, split_by_tier
from batterytrace.evm.node import free_port
from batterytrace.evm.signers import LocalSigner
from batterytrace.model.passports import passport_id_for, passport_urn
from batterytrace.model.registry import Role
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.passport_batches import passport_bounds
from batterytrace.sdk.passports import issue_passports
from batterytrace.sdk.resolver import LocalResolver, ResolverClient, ResolverSettings, battery_path, local_public_url, publish
from batterytrace.zk.pack_batch import BatchClaims
from tests.conftest import isolated
from tests.helpers.flows import CAPACITY_WH, battery_id, build_pack, request_for
from tests.helpers.sandbox import register, signer

#: The risk flags the passports' claims forbid.
FLAGS = int(RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA)

#: The roles the tiers name but the session's world has no participant of, registered here.
EXTRA_PARTICIPANTS = {"repairer": (12, Role.REPAIRER), "remanufacturer": (13, Role.REMANUFACTURER),
                      "second_life": (14, Role.SECOND_LIFE_OPERATOR)}


@dataclass(frozen=True)
class Served:
    """The running resolver and what it serves."""

    world: object
    url: str
    database: str
    settings: ResolverSettings
    passports: dict[str, int]          # serial -> passport id (published)
    unpublished: int                   # a passport on chain its operator did not publish
    documents: dict[str, dict]         # serial -> the whole Battery Pass document
    paths: dict[str, str]              # serial -> the battery's path on the resolver
    signers: dict[str, LocalSigner]    # participant name -> its signer

    def path(self, serial: str) -> str:
        return self.paths[serial]


def issue_documents(world, serials: list[str]) -> tuple[dict[str, int], dict[str, dict]]:
    """Issue one passport per serial from a fresh pack, all in one batch, each with a Battery Pass
    document whose public tier's hash is on chain."""
    maker = world.pack_maker
    notes = [maker.note(build_pack(world, serial)) for serial in serials]
    claims = BatchClaims.tightest(notes, CAPACITY_WH, FLAGS)
    requests, documents = [], {}
    for serial, note in zip(serials, notes, strict=True):
        bid = battery_id(serial)
        urn = passport_urn(world.chain.chain_id, world.deployment.passport, passport_id_for(bid))
        bounds = passport_bounds(tuple(metal.grams for metal in note.values.metals), claims)
        document = build_passport_document(example_pack_passport_input(urn, bid, proven_claims(bounds, (), True)))
        documents[serial] = document
        requests.append(request_for(serial, document_hash=document_hash(split_by_tier(document)[AccessTier.PUBLIC]), claims=claims))
    issued = issue_passports(maker, requests)
    assert len({item.batch for item in issued}) == 1
    return {serial: item.passport_id for serial, item in zip(serials, issued, strict=True)}, documents


@pytest.fixture(scope="package")
def served(session_world, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("resolver")
    with isolated(session_world) as world:
        admin = world.admin
        signers = {name: signer(index) for name, (index, _role) in
                   {"recycler": (9, None), "authority": (17, None), "miner": (2, None), "oem": (8, None), "stranger": (10, None),
                    "pack_maker": (7, None)}.items()}
        for name, (index, role) in EXTRA_PARTICIPANTS.items():
            client = BatteryTrace(world.chain, world.deployment, signer(index), None, world.pack_maker.prover)
            register(admin, client, name, role, index)
            signers[name] = signer(index)
        passports, documents = issue_documents(world, ["RES-1", "RES-2", "RES-3"])
        port = free_port()
        public_url = local_public_url(port)
        database = str(work / "resolver.sqlite")
        deployment_path = work / "deployment.json"
        world.deployment.save(deployment_path)
        settings = ResolverSettings(world.chain.rpc_url, str(deployment_path), database, str(work / "issuer.jwk"),
                                    "pack_maker legal name", public_url, str(work / "access.log"), poll_seconds=0.2)
        with LocalResolver(settings, work) as resolver:
            _publish(world, resolver.url, passports, documents, ["RES-1", "RES-2"])
            yield Served(world, resolver.url, database, settings, {s: passports[s] for s in ("RES-1", "RES-2")},
                         passports["RES-3"], documents, {s: battery_path(battery_id(s)) for s in passports}, signers)


def _publish(world, url: str, passports: dict[str, int], documents: dict[str, dict], serials: list[str]) -> None:
    """What the economic operator does after issuance: it signs in and publishes each document."""
    client = ResolverClient(url)
    for serial in serials:
        answer = publish(client, signer(7), passports[serial], documents[serial])
        assert answer["url"] == url + battery_path(battery_id(serial))
