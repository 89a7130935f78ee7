// Scan to plan and back: a fuzzed tenant and directory are reconciled, actions and
// approvals are picked among those allowed, and the plan is written and read back. Every
// row keeps its category, action, allowed actions, approval and whether it runs; writing
// it again gives the same text; and re-deriving each row that changes something from its
// cloud user as scanned (what apply does at execute time) says it is not stale.
#include "fuzzcheck.h"
#include "immutableid.h"
#include "plan.h"
#include "recheck.h"
#include "reconciler.h"

#include <QBuffer>
#include <QTextStream>

#include <fuzzer/FuzzedDataProvider.h>

namespace {

QByteArray guid(int seed)
{
    QByteArray bytes(16, '\x33');
    bytes[0] = char(seed);
    return bytes;
}

QString pick(FuzzedDataProvider &p, const QStringList &pool)
{
    return pool.at(p.ConsumeIntegralInRange<int>(0, int(pool.size()) - 1));
}

QByteArray written(const Plan &plan)
{
    QString text;
    QTextStream out(&text);
    plan.write(out);
    out.flush();
    return text.toUtf8();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider p(data, size);
    const QStringList names{QStringLiteral("anna"), QStringLiteral("bob"), QStringLiteral("=cmd"),
                            QStringLiteral("o'neil, jr"), QStringLiteral("zoë")};
    const QStringList domains{QStringLiteral("contoso.com"), QStringLiteral("fed.example.com"),
                              QStringLiteral("eu.fed.example.com")};
    // -> QString: with QT_USE_QSTRINGBUILDER an auto return type would dangle.
    auto address = [&]() -> QString {
        return pick(p, names) + u'@' + pick(p, domains);
    };
    auto anchorSeed = [&] {
        return p.ConsumeIntegralInRange<int>(-1, 4);
    };

    ReconcileInput in;
    in.anchorRule = AnchorRule(p.ConsumeIntegralInRange<int>(0, 2));
    in.onPremScanScoped = p.ConsumeBool();
    in.cloud.tenantId = QStringLiteral("11111111-2222-3333-4444-555555555555");
    in.cloud.scannedAt = QDateTime(QDate(2026, 11, 30), QTime(8, 15), Qt::UTC);
    in.cloud.domains = {{QStringLiteral("contoso.com"), false, false, true, true},
                        {QStringLiteral("fed.example.com"), p.ConsumeBool(), false, false, true},
                        {QStringLiteral("contoso.onmicrosoft.com"), false, true, false, true}};
    in.cloud.flags.blockSoftMatch = p.ConsumeBool();
    const int onPremCount = p.ConsumeIntegralInRange<int>(0, 6);
    for (int i = 0; i < onPremCount; ++i) {
        OnPremUser u;
        u.upn = p.ConsumeBool() ? address() : QString();
        u.dn = QStringLiteral("CN=%1,DC=corp").arg(i);
        const int g = anchorSeed();
        if (g >= 0)
            u.objectGuid = guid(g);
        const int c = anchorSeed();
        if (c >= 0)
            u.consistencyGuid = guid(c + 8);
        if (p.ConsumeBool())
            u.mail = address();
        if (p.ConsumeBool())
            u.proxyAddresses = {QStringLiteral("SMTP:") + address(),
                                QStringLiteral("smtp:") + address()};
        in.onPrem << u;
    }
    const int cloudCount = p.ConsumeIntegralInRange<int>(0, 6);
    for (int i = 0; i < cloudCount; ++i) {
        CloudUser c;
        c.id = QStringLiteral("c%1").arg(i);
        c.upn = address();
        const int a = p.ConsumeIntegralInRange<int>(-1, 12);
        if (a >= 0)
            c.immutableId = ImmutableId::base64Of(guid(a));
        const int sync = p.ConsumeIntegralInRange<int>(0, 2);
        if (sync < 2)
            c.syncEnabled = sync == 1;
        c.holdsAdminRole = p.ConsumeIntegralInRange<int>(0, 5) == 0;
        if (p.ConsumeBool())
            c.mail = address();
        if (p.ConsumeBool())
            c.proxyAddresses = {QStringLiteral("SMTP:") + address()};
        if (p.ConsumeBool())
            c.onPremisesObjectIdentifier = QStringLiteral("S-1-5-21-%1").arg(i);
        in.cloud.users << c;
    }
    const int deletedCount = p.ConsumeIntegralInRange<int>(0, 2);
    for (int i = 0; i < deletedCount; ++i) {
        CloudUser d;
        d.id = QStringLiteral("d%1").arg(i);
        d.upn = address();
        d.immutableId = ImmutableId::base64Of(guid(p.ConsumeIntegralInRange<int>(0, 12)));
        in.cloud.deletedUsers << d;
    }

    Plan plan(Reconciler::reconcile(in));
    plan.setScan(in.cloud.tenantId, in.cloud.scannedAt);
    QStringList federated;
    for (const CloudDomain &d : in.cloud.domains)
        if (d.federated)
            federated << d.name;
    for (int i = 0; i < plan.size(); ++i) {
        const QList<Action> allowed = plan.at(i).allowedActions;
        FUZZ_CHECK(allowed.contains(Action::None));
        FUZZ_CHECK(plan.setAction(
            i, allowed.at(p.ConsumeIntegralInRange<int>(0, int(allowed.size()) - 1))));
        plan.setApproved(i, p.ConsumeBool());
        // The execute-time re-derivation agrees with the scan that made the row.
        const Finding &f = plan.at(i);
        if (f.action == Action::None || f.cloudIndex < 0)
            continue;
        const CloudUser &c = in.cloud.users.at(f.cloudIndex);
        CloudUserFacts facts;
        facts.upn = c.upn;
        facts.immutableId = c.immutableId;
        facts.syncEnabled = c.syncEnabled;
        facts.federated = Recheck::inDomain(c.upn, federated);
        facts.holdsAdminRole = c.holdsAdminRole;
        const QString stale = Recheck::staleReason(f, facts);
        if (!stale.isEmpty()) {
            qWarning() << "row" << f.rowId << categoryName(f.category) << "stale:" << stale;
            FUZZ_CHECK(false);
        }
    }

    QByteArray text = written(plan);
    QBuffer buffer(&text);
    buffer.open(QIODevice::ReadOnly);
    Plan back;
    QString error;
    if (!Plan::read(&buffer, &back, &error)) {
        qWarning() << "a scanned plan does not read:" << error;
        FUZZ_CHECK(false);
    }
    FUZZ_CHECK_EQ(back.size(), plan.size());
    // Tenant and scan time are cells of every row: a plan without rows has neither.
    if (plan.size() > 0) {
        FUZZ_CHECK_EQ(back.tenantId(), in.cloud.tenantId);
        FUZZ_CHECK_EQ(back.scannedAt(), in.cloud.scannedAt);
    }
    for (int i = 0; i < plan.size(); ++i) {
        const Finding &a = plan.at(i);
        const Finding &b = back.at(i);
        FUZZ_CHECK_EQ(b.rowId, a.rowId);
        FUZZ_CHECK(b.category == a.category);
        FUZZ_CHECK(b.action == a.action);
        FUZZ_CHECK(b.allowedActions == a.allowedActions);
        // The need for approval, not the flag: a clear_object_identifier row needs one whatever
        // its category (needsApproval()), and the file records that as requires_approval=yes.
        FUZZ_CHECK_EQ(b.needsApproval(), a.needsApproval());
        FUZZ_CHECK_EQ(b.approved, a.approved);
        FUZZ_CHECK_EQ(b.isExecutable(), a.isExecutable());
        FUZZ_CHECK_EQ(b.cloudId, a.cloudId);
        FUZZ_CHECK_EQ(b.cloudImmutableId, a.cloudImmutableId);
        FUZZ_CHECK_EQ(b.expectedImmutableId(), a.expectedImmutableId());
        FUZZ_CHECK_EQ(b.deletedHolderId, a.deletedHolderId);
        FUZZ_CHECK_EQ(b.onPremDn, a.onPremDn);
    }
    FUZZ_CHECK_EQ(written(back), text);
    return 0;
}
