"""The results as a Markdown table, and the targets they are judged against."""

from __future__ import annotations

import math
from typing import Any

from bench import stats


def _largest(inbox: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    measured = [(k, v) for k, v in inbox.items() if "inbox" in v]
    if not measured:
        return None
    return max(measured, key=lambda item: item[1]["referrals"])


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: what it asks, what was measured, whether it is met."""
    found: list[dict[str, Any]] = []

    def add(name: str, wanted: str, value: float | None, met: bool) -> None:
        found.append({"target": name, "wanted": wanted, "measured": value, "met": met})

    inbox = results.get("inbox") or {}
    largest = _largest(inbox)
    if largest:
        scale, figures = largest
        p95 = figures["inbox"]["p95_ms"]
        add(f"inbox p95 at {scale}", "≤ 50 ms", p95, p95 <= 50)
        smallest = min((v for v in inbox.values() if "inbox" in v), key=lambda v: v["referrals"])
        if smallest is not figures:
            growth = stats.ratio(p95, smallest["inbox"]["p95_ms"])
            add(f"inbox p95 growth {_scale(smallest)} → {scale}", "≤ 1.5x", growth, growth <= 1.5)
        if "inbox_vs_sql_floor" in figures:
            floor = figures["inbox_vs_sql_floor"]
            add(f"inbox vs SQL floor at {scale} (medians)", "≤ 3x", floor, floor <= 3)
        fk = figures["inbox_vs_agency_fk"]
        add(f"object permissions vs agency FK at {scale} (medians)", "≤ 1.5x", fk, fk <= 1.5)
    plan = results.get("caseplan") or {}
    if "encrypted_vs_plaintext" in plan:
        value = plan["encrypted_vs_plaintext"]
        add("case plan open, encrypted vs plain text (medians)", "≤ 1.15x", value, value <= 1.15)
    writes = results.get("create_send") or {}
    if "pairs_per_second" in writes:
        rate = writes["pairs_per_second"]
        add(f"referral create + send, {writes['clients']} clients", "≥ 150/s", rate, rate >= 150)
    sent = results.get("delivery") or {}
    if "latency" in sent:
        p99 = sent["latency"]["p99_ms"]
        add(f"notification delivery p99, {sent['sockets']} sockets", "≤ 100 ms", p99, p99 <= 100)
    return found


def _scale(figures: dict[str, Any]) -> str:
    count = figures["referrals"]
    return f"{count // 1_000_000}m" if count >= 1_000_000 else f"{count // 1000}k"


def _ms(value: float) -> str:
    return (
        "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}"
    )


def markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"## Benchmark results, {results['date']}",
        "",
        f"{machine['cpus']} CPUs, PostgreSQL {machine['postgres']}, Python {machine['python']}. "
        f"Load average (1/5/15 min) {'/'.join(map(str, results['load_before']))} before, "
        f"{'/'.join(map(str, results['load_after']))} after; {results['seconds']} s in all. "
        "Times in ms; ratios are of medians taken in the same run.",
        "",
    ]
    inbox = results.get("inbox")
    if inbox:
        lines += [
            "### Referral inbox: a page of 50 for a receiving practitioner",
            "",
            "| referrals | visible | inbox median | p95 | p99 | agency-FK median | p95 "
            "| SQL floor median | p95 | ping median | inbox ÷ floor | inbox ÷ agency-FK |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for figures in sorted(inbox.values(), key=lambda v: v.get("referrals", 0)):
            if "inbox" not in figures:
                continue
            floor = figures.get("sql_floor", {})
            lines.append(
                f"| {figures['referrals']:,} | {figures['visible_count']:,} "
                f"| {_ms(figures['inbox']['median_ms'])} | {_ms(figures['inbox']['p95_ms'])} "
                f"| {_ms(figures['inbox']['p99_ms'])} "
                f"| {_ms(figures['agency_fk']['median_ms'])} "
                f"| {_ms(figures['agency_fk']['p95_ms'])} "
                f"| {_ms(floor.get('median_ms'))} | {_ms(floor.get('p95_ms'))} "
                f"| {_ms(figures['ping']['median_ms'])} "
                f"| {figures.get('inbox_vs_sql_floor', '-')} | {figures['inbox_vs_agency_fk']} |"
            )
        lines.append("")
    plan = results.get("caseplan")
    if plan and "encrypted" in plan:
        lines += [
            f"### Case plan opened by its lead ({plan['scale']} dataset): plan, team, actions, "
            "risk assessments",
            "",
            "| fields | open median | p95 | p99 | plan | team | actions | risk assessments |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in ("encrypted", "plaintext"):
            parts = plan[name]
            lines.append(
                f"| {'encrypted' if name == 'encrypted' else 'plain text'} "
                f"| {_ms(parts['open']['median_ms'])} | {_ms(parts['open']['p95_ms'])} "
                f"| {_ms(parts['open']['p99_ms'])} | {_ms(parts['plan']['median_ms'])} "
                f"| {_ms(parts['team']['median_ms'])} | {_ms(parts['actions']['median_ms'])} "
                f"| {_ms(parts['risk_assessments']['median_ms'])} |"
            )
        lines += [
            "",
            f"Encrypted ÷ plain text: {plan['encrypted_vs_plaintext']} (medians), "
            f"{plan['encrypted_vs_plaintext_p95']} (p95).",
            "",
        ]
    writes = results.get("create_send")
    if writes and "pairs_per_second" in writes:
        pair = writes["pair"]
        lines += [
            f"### Referral create + send ({writes['scale']} dataset)",
            "",
            "| clients | server processes | pairs/s | pair median | p95 | p99 | failures "
            "| pings/s, same clients | a pair in pings |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {writes['clients']} | {writes['servers']} | {writes['pairs_per_second']} "
            f"| {_ms(pair['median_ms'])} | {_ms(pair['p95_ms'])} | {_ms(pair['p99_ms'])} "
            f"| {writes['failures']} | {writes['pings_per_second']} | {writes['pair_in_pings']} |",
            "",
            "Pings: the cheapest signed-in request, sent by the same clients just before "
            "(`bench.variants.PingView`). No pair can beat half their rate on this machine.",
            "",
        ]
    sent = results.get("delivery")
    if sent:
        lines.append("### Notification delivery: commit to WebSocket")
        lines.append("")
        if "skipped" in sent:
            lines += [f"Skipped: {sent['skipped']}.", ""]
        else:
            latency = sent["latency"]
            lines += [
                "| sockets | server processes | delivered | p50 | p95 | p99 "
                "| KiB per idle socket |",
                "|---:|---:|---:|---:|---:|---:|---:|",
                f"| {sent['sockets']} | {sent['servers']} "
                f"| {sent['deliveries']}/{sent['expected_deliveries']} "
                f"| {_ms(latency['median_ms'])} | {_ms(latency['p95_ms'])} "
                f"| {_ms(latency['p99_ms'])} | {sent['kib_per_idle_socket']} |",
                "",
            ]
    if results.get("targets"):
        lines += ["### Targets", "", "| target | wanted | measured | met |", "|---|---|---:|---|"]
        for target in results["targets"]:
            lines.append(
                f"| {target['target']} | {target['wanted']} | {target['measured']} "
                f"| {'yes' if target['met'] else '**no**'} |"
            )
        lines.append("")
    return "\n".join(lines)
