#!/usr/bin/env python3
"""The reconciler's classification (DESIGN.md section 3, rules 1-11, then orphaned_anchor /
cloud_only) as a plain Python dict join, for bench_reconcile to compare against.

Input (tab-separated, one object a line, written by bench_reconcile):
  O <dn> <upn> <mail> <proxies ;-joined> <anchor>
  C <id> <upn> <mail> <proxies> <immutableId> <sync: 1/0/-> <admin: 1/0> <cloudManaged: 1/0>
  D <id> <immutableId>                      (a user in the recycle bin)
  F <domain>                                (a federated domain)
Output: the join's wall time (reading excluded) and the count per category, one line each:
  seconds <s>
  <category> <count>
"""
import sys
import time
from collections import Counter


def key(address):
    a = address.lower()
    return a[5:] if a.startswith("smtp:") else a


def primary_smtp(mail, proxies):
    for p in proxies:
        if p.startswith("SMTP:"):
            return p[5:].lower()
    return mail.lower()


def main(path):
    onprem, cloud, deleted, federated = [], [], set(), set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            t = line.rstrip("\n").split("\t")
            if t[0] == "O":
                onprem.append((t[1], t[2], t[3], t[4].split(";") if t[4] else [], t[5]))
            elif t[0] == "C":
                cloud.append((t[1], t[2], t[3], t[4].split(";") if t[4] else [], t[5],
                              None if t[6] == "-" else t[6] == "1", t[7] == "1", t[8] == "1"))
            elif t[0] == "D":
                deleted.add(t[2])
            elif t[0] == "F":
                federated.add(t[1].lower())

    start = time.perf_counter()
    by_anchor, by_upn, by_smtp, holders = {}, {}, {}, {}
    for i, (cid, upn, mail, proxies, imm, sync, admin, managed) in enumerate(cloud):
        if imm:
            by_anchor[imm] = i
        by_upn.setdefault(upn.lower(), i)  # the first holder, as the reconciler
        s = primary_smtp(mail, proxies)
        if s:
            by_smtp.setdefault(s, i)
        for a in [upn, mail] + proxies:
            if a:
                holders.setdefault(key(a), set()).add(i)
    anchors = Counter(u[4] for u in onprem)
    referred = set()
    counts = Counter()

    for dn, upn, mail, proxies, anchor in onprem:
        h = by_anchor.get(anchor)
        u = by_upn.get(upn.lower())
        s = by_smtp.get(primary_smtp(mail, proxies))
        # A row refers to its H, U and S whatever its category.
        for x in (h, u, s):
            if x is not None:
                referred.add(x)
        if anchors[anchor] > 1:
            counts["duplicate_onprem_anchor"] += 1
            continue
        addresses = {key(a) for a in [upn, mail] + proxies if a}

        def held_by_other(mine):
            return any(h not in mine for a in addresses for h in holders.get(a, ()))

        if h is not None:
            cat = "duplicate_address" if held_by_other({h}) else "in_sync"
        elif u is not None and s is not None and u != s:
            cat = "ambiguous_match"
        elif held_by_other({u, s}):
            cat = "duplicate_address"
        elif u is None and s is None:
            cat = "no_cloud_match"
        else:
            c = cloud[u if u is not None else s]
            if c[6]:
                cat = "admin_role"
            elif c[7]:
                cat = "cloud_managed"
            elif c[5]:
                cat = "synced_object"
            elif anchor in deleted:
                cat = "deleted_anchor_holder"
            elif c[1].rsplit("@", 1)[-1].lower() in federated:
                cat = "federated_domain"
            elif not c[4]:
                cat = "soft_match_pending"
            else:
                cat = "anchor_mismatch"
        counts[cat] += 1
    for i, c in enumerate(cloud):
        if i not in referred:
            # Rule 6a holds for unmatched converted users too.
            cat = "cloud_managed" if c[7] else ("orphaned_anchor" if c[4] else "cloud_only")
            counts[cat] += 1
    seconds = time.perf_counter() - start
    print("seconds %.3f" % seconds)
    for cat, n in sorted(counts.items()):
        print(cat, n)


if __name__ == "__main__":
    main(sys.argv[1])
