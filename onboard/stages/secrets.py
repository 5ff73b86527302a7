"""Stage `secrets`: store the network's RPC URL as /RPC/<rpcUrlId> and one API key per listed explorer as
/BlockExplorers/<envKey> in the configured backend, then prove by read-back that they are there.

Values come from environment variables or a values file, never from the command line; plans, outputs and the
journal carry fingerprints only. Progress is recorded per folder, so a run that fails midway resumes by
reading the backend again and writing only what still differs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from onboard.errors import OnboardError, PendingApproval, StageError
from onboard.secrets import ApprovalRequired, Fingerprinter, SecretBackend, SecretsSection, open_backend
from onboard.secrets.survey import Row, Survey, build
from onboard.secrets.values import resolve, targets_for
from onboard.stages.base import Context, Plan, Stage

log = logging.getLogger("onboard.secrets")


class SecretsStage(Stage):
    name = "secrets"
    description = "Register the RPC URL under /RPC and one key per explorer under /BlockExplorers."

    def inputs(self, ctx: Context) -> Mapping[str, Any]:
        # NOTE: the values themselves are not part of the inputs, so a finished stage is not re-applied when a
        # value is rotated. `--only secrets` re-checks them.
        section = ctx.config.section("secrets", SecretsSection)
        return {
            "secrets": [(target.ref.path, target.source) for target in targets_for(ctx.spec)],
            "backend": section.model_dump(mode="json", exclude={"values_file"}),
        }

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        written = len(outputs.get("changed") or [])
        return f"{len(outputs.get('secrets') or {})} secrets in {outputs.get('location')}, {written} written"

    def plan(self, ctx: Context) -> Plan:
        with self._backend(ctx) as (backend, fingerprint):
            survey = self._survey(ctx, backend, fingerprint)
        return Plan(
            stage=self.name,
            summary=survey.summary(),
            changes=survey.changes,
            details=survey.details(),
            data={
                "backend": backend.name,
                "location": backend.describe(),
                "folders_to_create": list(survey.missing_folders),
                "secrets": [row.to_json() for row in survey.rows],
            },
        )

    def apply(self, ctx: Context) -> dict[str, Any]:
        with self._backend(ctx) as (backend, fingerprint):
            survey = self._survey(ctx, backend, fingerprint)
            state: dict[str, dict[str, Any]] = {}
            changed: list[str] = []
            waiting: list[PendingApproval] = []
            for folder in survey.missing_folders:
                backend.create_folder(folder)
                log.info("created folder %s in %s", folder, backend.describe())
            for folder, rows in survey.pending_by_folder().items():
                # A folder waiting for approval does not hold back the other folders.
                try:
                    self._stop_while_approval_pending(ctx, folder, rows)
                    state.update(self._write_folder(ctx, backend, folder, rows))
                except PendingApproval as pending:
                    waiting.append(pending)
                    continue
                changed.extend(row.path for row in rows)
            if waiting:
                self._raise_pending(waiting)
            for row in survey.rows:
                if row.path not in changed:
                    state[row.path] = {"fingerprint": row.desired.fingerprint, "marker": row.observed.marker}
            if not survey.changes:
                log.info("secrets: nothing to change; %s", survey.summary())
            return {
                "backend": backend.name,
                "location": backend.describe(),
                "secrets": {row.path: state[row.path] for row in survey.rows},
                "changed": changed,
                "folders_created": list(survey.missing_folders),
                "pending_approvals": {},
            }

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        recorded = outputs.get("secrets") or {}
        with self._backend(ctx) as (backend, _fingerprint):
            refs = [target.ref for target in targets_for(ctx.spec)]
            observed = backend.read(refs)
        problems = []
        for ref in refs:
            record, state = recorded.get(ref.path), observed[ref]
            if record is None:
                problems.append(f"{backend.location(ref)} was not recorded by apply")
            elif not state.exists:
                problems.append(f"{backend.location(ref)} is missing")
            elif state.fingerprint is None and state.marker != record.get("marker"):
                problems.append(f"{backend.location(ref)} was changed outside onboard (updated {state.marker})")
            elif state.fingerprint is not None and state.fingerprint != record.get("fingerprint"):
                problems.append(
                    f"{backend.location(ref)} has fingerprint {state.fingerprint}, expected {record.get('fingerprint')}"
                )
        if problems:
            raise StageError(
                self.name,
                f"read-back of {len(problems)} secret(s) does not match what apply wrote",
                cause="\n".join(problems),
                fix=f"run `onboard network {ctx.spec.name} --only secrets` to write them again",
            )

    @contextlib.contextmanager
    def _backend(self, ctx: Context) -> Iterator[tuple[SecretBackend, Fingerprinter]]:
        """Open the configured backend; turn backend failures into StageErrors and always close it."""
        section = ctx.config.section("secrets", SecretsSection)
        fingerprint = Fingerprinter.for_install(ctx.config.state_dir)
        backend = None
        try:
            backend = open_backend(section, config=ctx.config, env=ctx.env, fingerprint=fingerprint)
            yield backend, fingerprint
        except (StageError, ApprovalRequired):
            raise
        except OnboardError as err:
            raise StageError(self.name, err.message, cause=err.cause, fix=err.fix) from err
        finally:
            if backend is not None:
                backend.close()

    def _survey(self, ctx: Context, backend: SecretBackend, fingerprint: Fingerprinter) -> Survey:
        section = ctx.config.section("secrets", SecretsSection)
        targets = targets_for(ctx.spec)
        problems = backend.check_names([target.ref for target in targets])
        if problems:
            raise StageError(
                self.name,
                f"{backend.describe()} cannot store {len(problems)} of the secret names",
                cause="\n".join(problems),
                fix="rename rpc_url_id or the explorers' env_key in the network spec, or choose another backend",
            )
        values_file = ctx.config.resolve(section.values_file) if section.values_file else None
        desired = resolve(
            targets,
            env=ctx.env,
            values_file=values_file,
            placeholders=section.placeholders,
            fingerprint=fingerprint,
            stage=self.name,
        )
        observed = backend.read([target.ref for target in targets])
        missing_folders = backend.missing_folders(sorted({target.ref.folder for target in targets}))
        recorded = ctx.outputs_of(self.name).get("secrets") or {}
        return build(backend, desired, observed, recorded, missing_folders)

    def _write_folder(
        self, ctx: Context, backend: SecretBackend, folder: str, rows: list[Row]
    ) -> dict[str, dict[str, Any]]:
        """Write one folder's changes and record them in the journal at once, so a later failure keeps them."""
        values = {row.desired.target.ref.name: row.desired.value for row in rows}
        try:
            written = backend.upsert(folder, values)
        except ApprovalRequired as err:
            self._record_pending(ctx, folder, rows, err.request_id)
            raise PendingApproval(self.name, err.message, fix=err.fix) from err
        except OnboardError as err:
            raise StageError(
                self.name,
                f"writing {', '.join(values)} to {backend.describe()} failed",
                cause=err.render(),
                fix="fix the cause and run again; secrets already written are read back and not written again",
            ) from err
        entries = {ref.path: {"fingerprint": state.fingerprint, "marker": state.marker} for ref, state in written.items()}
        secrets = {**(ctx.outputs_of(self.name).get("secrets") or {}), **entries}
        pending = dict(ctx.outputs_of(self.name).get("pending_approvals") or {})
        pending.pop(folder, None)
        ctx.journal.record_outputs(self.name, {"secrets": secrets, "pending_approvals": pending})
        log.info("wrote %d secret(s) to %s in %s", len(values), folder, backend.describe())
        return entries

    def _raise_pending(self, waiting: list[PendingApproval]) -> None:
        if len(waiting) == 1:
            raise waiting[0]
        messages = [item.message.removeprefix(f"stage {self.name}: ") for item in waiting]
        raise PendingApproval(self.name, "; ".join(messages), fix=waiting[0].fix)

    def _record_pending(self, ctx: Context, folder: str, rows: list[Row], request_id: str) -> None:
        pending = dict(ctx.outputs_of(self.name).get("pending_approvals") or {})
        pending[folder] = {
            "request": request_id,
            "fingerprints": {row.path: row.desired.fingerprint for row in rows},
        }
        ctx.journal.record_outputs(self.name, {"pending_approvals": pending})

    def _stop_while_approval_pending(self, ctx: Context, folder: str, rows: list[Row]) -> None:
        """Stop again, without a second request, while an approval for the same values is still open."""
        pending = (ctx.outputs_of(self.name).get("pending_approvals") or {}).get(folder)
        if not pending or ctx.options.get("resubmit_approval"):
            return
        expected = {row.path: row.desired.fingerprint for row in rows}
        if pending.get("fingerprints") == expected:
            raise PendingApproval(
                self.name,
                f"approval request {pending.get('request')} for {folder} is still waiting; no new request was sent",
                fix="approve and merge it in the backend, then run again; if it was rejected, run again with "
                "--resubmit-approval to send a new request",
            )
