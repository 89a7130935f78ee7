#include "reconciler.h"

#include "changeunit.h"

#include "flatindex.h"
#include "hugepages.h"
#include "immutableid.h"
#include "slices.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>
#include <QVarLengthArray>

#include <algorithm>
#include <functional>
#include <thread>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Reconciler", text);
}

QString tr(const char *text, const char *disambiguation, int n)
{
    return QCoreApplication::translate("Reconciler", text, disambiguation, n);
}

// An address as Entra compares it: case-insensitively, SMTP addresses without their
// "smtp:" prefix (UPN, mail and proxy addresses share one namespace), other proxy types
// (SIP:, X500:) with theirs.
QStringView addressView(const QString &address)
{
    QStringView view(address);
    if (view.startsWith(u"smtp:", Qt::CaseInsensitive))
        view = view.mid(5);
    return view;
}

bool sameAddress(QStringView a, QStringView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// The distinct addresses of a user: UPN, mail and the SMTP proxies often repeat one
// address, and each repeat would cost a lookup. part: 0 = UPN, 1 = mail, 2+ = proxy.
struct Address
{
    QStringView text;
    int part;
};
using Addresses = QVarLengthArray<Address, 6>;

Addresses addressesOf(const QString &upn, const QString &mail, const QStringList &proxies)
{
    Addresses out;
    auto add = [&out](const QString &address, int part) {
        const QStringView view = addressView(address);
        if (view.isEmpty())
            return;
        for (const Address &seen : out)
            if (sameAddress(seen.text, view))
                return;
        out.append({view, part});
    };
    add(upn, 0);
    add(mail, 1);
    for (int i = 0; i < int(proxies.size()); ++i)
        add(proxies.at(i), i + 2);
    return out;
}

QStringView addressPart(const CloudUser &user, int part)
{
    if (part == 0)
        return user.upn;
    if (part == 1)
        return user.mail;
    return addressView(user.proxyAddresses.at(part - 2));
}

// The primary SMTP address as a view: the "SMTP:" proxy address, else mail.
QStringView primarySmtpView(const QString &mail, const QStringList &proxies)
{
    for (const QString &address : proxies)
        if (address.startsWith(u"SMTP:"))
            return QStringView(address).mid(5);
    return mail;
}

// Large inputs use every core; small ones stay on the caller's thread.
bool worthThreads(qsizetype work)
{
    return Slices::countFor(work) > 1;
}

void runAll(bool parallel, const std::vector<std::function<void()>> &tasks)
{
    if (!parallel) {
        for (const auto &task : tasks)
            task();
        return;
    }
    std::vector<std::thread> threads;
    for (size_t i = 1; i < tasks.size(); ++i)
        threads.emplace_back(tasks[i]);
    tasks.front()();
    for (std::thread &t : threads)
        t.join();
}

QStringView objectAddressPart(const DirectoryObject &o, int part)
{
    if (part == 0)
        return o.upn;
    if (part == 1)
        return o.mail;
    return addressView(o.proxyAddresses.at(part - 2));
}

// A provisioning error and the object that carries it.
struct ErrorRef
{
    const ProvisioningError *error = nullptr;
    int user = -1;   // index into the active users, or
    int object = -1; // index into CloudIndex::extra()
};

class CloudIndex
{
public:
    explicit CloudIndex(const CloudSnapshot &cloud)
        : m_users(cloud.users), m_deleted(cloud.deletedUsers)
    {
        indexOtherObjects(cloud);
        const int n = int(m_users.size());
        // Independent indexes: built side by side on large tenants.
        runAll(worthThreads(n),
               {[&] {
                    m_byAnchor.reserve(size_t(n));
                    for (int i = 0; i < n; ++i)
                        if (const QString &anchor = m_users.at(i).immutableId; !anchor.isEmpty())
                            m_byAnchor.insert(FlatIndex::hashOf(anchor), {i, 0});
                    m_deletedByAnchor.reserve(size_t(m_deleted.size()));
                    for (int i = 0; i < int(m_deleted.size()); ++i)
                        if (const QString &anchor = m_deleted.at(i).immutableId; !anchor.isEmpty())
                            m_deletedByAnchor.insert(FlatIndex::hashOf(anchor), {i, 0});
                },
                [&] {
                    m_byUpn.reserve(size_t(n));
                    m_bySmtp.reserve(size_t(n));
                    for (int i = 0; i < n; ++i) {
                        const CloudUser &user = m_users.at(i);
                        if (!user.upn.isEmpty())
                            m_byUpn.insert(FlatIndex::foldedHashOf(user.upn), {i, 0});
                        const QStringView smtp = primarySmtpView(user.mail, user.proxyAddresses);
                        if (!smtp.isEmpty())
                            m_bySmtp.insert(FlatIndex::foldedHashOf(smtp), {i, 0});
                    }
                },
                [&] {
                    m_holders.reserve(size_t(n) * 2);
                    for (int i = 0; i < n; ++i) {
                        const CloudUser &user = m_users.at(i);
                        for (const Address &a :
                             addressesOf(user.upn, user.mail, user.proxyAddresses))
                            m_holders.insert(FlatIndex::foldedHashOf(a.text), {i, a.part});
                    }
                }});
        for (const CloudDomain &domain : cloud.domains)
            if (domain.federated)
                m_federatedDomains.insert(domain.name.toLower());
    }

    int byAnchor(QStringView anchor) const
    {
        return m_byAnchor
            .find(FlatIndex::hashOf(anchor),
                  [&](FlatIndex::Entry e) { return m_users.at(e.item).immutableId == anchor; })
            .item;
    }
    int deletedByAnchor(QStringView anchor) const
    {
        if (anchor.isEmpty())
            return -1;
        return m_deletedByAnchor
            .find(FlatIndex::hashOf(anchor),
                  [&](FlatIndex::Entry e) { return m_deleted.at(e.item).immutableId == anchor; })
            .item;
    }
    int byUpn(const QString &upn) const
    {
        if (upn.isEmpty())
            return -1;
        return m_byUpn
            .find(FlatIndex::foldedHashOf(upn),
                  [&](FlatIndex::Entry e) { return sameAddress(m_users.at(e.item).upn, upn); })
            .item;
    }
    int bySmtp(QStringView smtp) const
    {
        if (smtp.isEmpty())
            return -1;
        return m_bySmtp
            .find(FlatIndex::foldedHashOf(smtp),
                  [&](FlatIndex::Entry e) {
                      const CloudUser &user = m_users.at(e.item);
                      return sameAddress(primarySmtpView(user.mail, user.proxyAddresses), smtp);
                  })
            .item;
    }

    // A cloud user other than a and b that holds one of the addresses, with the address.
    std::pair<int, QString> otherHolder(const Addresses &addresses, int a, int b) const
    {
        for (const Address &address : addresses) {
            const FlatIndex::Entry holder =
                m_holders.find(FlatIndex::foldedHashOf(address.text), [&](FlatIndex::Entry e) {
                    return e.item != a && e.item != b &&
                           sameAddress(addressPart(m_users.at(e.item), e.part), address.text);
                });
            if (holder.item >= 0)
                return {holder.item, address.text.toString()};
        }
        return {-1, QString()};
    }

    // A group, contact or deleted object that holds one of the addresses, with the
    // address. A deleted object counts only where the sync engine reports a conflict on
    // the address: it blocks its own restore, not a sync, unless Entra says otherwise.
    std::pair<int, QString> otherObjectHolder(const Addresses &addresses) const
    {
        if (m_extra.isEmpty())
            return {-1, QString()};
        for (const Address &address : addresses) {
            const FlatIndex::Entry holder =
                m_extraHolders.find(FlatIndex::foldedHashOf(address.text), [&](FlatIndex::Entry e) {
                    const DirectoryObject &o = m_extra.at(e.item);
                    return sameAddress(objectAddressPart(o, e.part), address.text) &&
                           (!o.deleted || !conflictOn(address.text).isEmpty());
                });
            if (holder.item >= 0)
                return {holder.item, address.text.toString()};
        }
        return {-1, QString()};
    }
    const DirectoryObject &extra(int i) const { return m_extra.at(i); }
    bool hasErrors() const { return !m_errors.empty(); }

    // The provisioning errors whose value is the address.
    QList<ErrorRef> conflictOn(QStringView address) const
    {
        QList<ErrorRef> out;
        if (m_errors.empty())
            return out;
        m_conflicts.find(FlatIndex::foldedHashOf(address), [&](FlatIndex::Entry e) {
            const ErrorRef &ref = m_errors.at(size_t(e.item));
            if (sameAddress(addressView(ref.error->value), address))
                out.append(ref);
            return false; // all of them
        });
        return out;
    }

    // "cloud user bob@contoso.com (id …)", "group Sales (id …)".
    QString carrierOf(const ErrorRef &ref) const
    {
        if (ref.user >= 0)
            return QCoreApplication::translate("Reconciler", "cloud user %1 (id %2)")
                .arg(m_users.at(ref.user).upn, m_users.at(ref.user).id);
        return m_extra.at(ref.object).describe();
    }

    // The federated domain (or federated parent domain) of a UPN, or empty.
    QString federatedDomainOf(const QString &upn) const
    {
        if (m_federatedDomains.isEmpty())
            return {};
        QString domain = upn.mid(upn.lastIndexOf(u'@') + 1).toLower();
        while (!domain.isEmpty()) {
            if (m_federatedDomains.contains(domain))
                return domain;
            const qsizetype dot = domain.indexOf(u'.');
            if (dot < 0)
                break;
            domain = domain.mid(dot + 1);
        }
        return {};
    }

private:
    void indexOtherObjects(const CloudSnapshot &cloud)
    {
        m_extra = cloud.otherObjects;
        bool anyErrors = false;
        for (const DirectoryObject &o : std::as_const(m_extra))
            anyErrors = anyErrors || !o.provisioningErrors.isEmpty();
        for (const CloudUser &u : m_users)
            anyErrors = anyErrors || !u.provisioningErrors.isEmpty();
        // A deleted user holds an address only where the engine reports the conflict: with
        // no errors at all the recycle bin need not be indexed (it costs every row lookups).
        if (anyErrors) {
            for (const CloudUser &d : cloud.deletedUsers) {
                DirectoryObject o;
                o.type = DirectoryObject::Type::User;
                o.id = d.id;
                o.displayName = d.upn;
                o.upn = d.upn;
                o.mail = d.mail;
                o.proxyAddresses = d.proxyAddresses;
                o.deleted = true;
                m_extra.append(o);
            }
        }
        for (int i = 0; i < int(m_extra.size()); ++i) {
            const DirectoryObject &o = m_extra.at(i);
            for (const Address &a : addressesOf(o.upn, o.mail, o.proxyAddresses))
                m_extraHolders.insert(FlatIndex::foldedHashOf(a.text), {i, a.part});
        }
        // After m_extra is complete: the refs point into its elements.
        for (int i = 0; i < int(m_extra.size()); ++i)
            for (const ProvisioningError &e : m_extra.at(i).provisioningErrors)
                m_errors.push_back({&e, -1, i});
        for (int i = 0; i < int(m_users.size()); ++i)
            for (const ProvisioningError &e : m_users.at(i).provisioningErrors)
                m_errors.push_back({&e, i, -1});
        for (size_t i = 0; i < m_errors.size(); ++i) {
            const QStringView value = addressView(m_errors[i].error->value);
            if (!value.isEmpty())
                m_conflicts.insert(FlatIndex::foldedHashOf(value), {int(i), 0});
        }
    }

    const QList<CloudUser> &m_users;
    const QList<CloudUser> &m_deleted;
    QList<DirectoryObject> m_extra; // otherObjects, then the deleted users
    FlatIndex m_extraHolders;
    std::vector<ErrorRef> m_errors;
    FlatIndex m_conflicts; // error value → m_errors
    FlatIndex m_byAnchor;
    FlatIndex m_deletedByAnchor;
    FlatIndex m_byUpn;
    FlatIndex m_bySmtp;
    FlatIndex m_holders; // one entry per distinct address of each user
    QSet<QString> m_federatedDomains;
};

void setCategory(Finding &f, Category category)
{
    f.category = category;
    f.severity = baseSeverityFor(category);
    f.allowedActions = allowedActionsFor(category);
    f.action = defaultActionFor(category);
    f.requiresApproval = categoryNeedsApproval(category);
}

void setCloud(Finding &f, const QList<CloudUser> &users, int index)
{
    if (index < 0)
        return;
    const CloudUser &c = users.at(index);
    f.cloudIndex = index;
    f.cloudId = c.id;
    f.cloudUpn = c.upn;
    f.cloudImmutableId = c.immutableId;
    f.cloudSyncEnabled = c.syncEnabled;
}

QString orNone(const QString &value)
{
    return value.isEmpty() ? tr("(none)") : value;
}

// "Global Administrator (eligible through PIM), Exchange Administrator (active)".
QString roleList(const CloudUser &c)
{
    QStringList parts;
    for (const RoleGrant &g : c.roles) {
        QString part = (g.eligible ? tr("%1 (eligible through PIM)") : tr("%1 (active)"))
                           .arg(g.roleName.isEmpty() ? tr("an unnamed role") : g.roleName);
        if (!g.viaGroupId.isEmpty())
            part +=
                u' ' + tr("through membership of the role-assignable group %1").arg(g.viaGroupId);
        parts << part;
    }
    return parts.join(QStringLiteral(", "));
}

QString adminRoleReason(const CloudUser &c)
{
    const QString roles = roleList(c);
    const bool eligible = std::any_of(c.roles.cbegin(), c.roles.cend(),
                                      [](const RoleGrant &g) { return g.eligible; });
    return (roles.isEmpty() ? tr("Cloud user %1 holds an Entra admin role").arg(c.upn)
                            : tr("Cloud user %1 holds the Entra role %2").arg(c.upn, roles)) +
           tr("; Entra refuses soft and hard matches for admin accounts (hard match blocked "
              "since June 2026%1). Remove the role%2, let sync link the account, then assign "
              "it again.")
               .arg(eligible ? tr(", and since July 2026 also for a role that is only "
                                  "eligible through PIM")
                             : QString(),
                    eligible ? tr(" and its PIM eligibility") : QString());
}

QString cloudManagedReason(const CloudUser &c)
{
    return tr("Cloud user %1 has ImmutableId %2 but its source of authority was moved to the "
              "cloud on purpose (onPremisesSyncBehavior.isCloudManaged = true). Stamping or "
              "clearing its anchor would undo that decision, and moving it back is itself a "
              "hard-match takeover: leave it, or have its owner revert the conversion first.")
        .arg(c.upn, orNone(c.immutableId));
}

class OnPremRowBuilder
{
public:
    OnPremRowBuilder(const ReconcileInput &input, const CloudIndex &index,
                     const QList<QByteArray> &anchors, const FlatIndex &anchorIndex)
        : m_input(input), m_users(input.cloud.users), m_index(index), m_anchors(anchors),
          m_anchorIndex(anchorIndex)
    {}

    // Classifies on-prem user i; marks the cloud users it refers to (H, U, S).
    Finding build(int i, std::vector<char> &referenced) const
    {
        Finding f = classify(i, referenced);
        attachSyncErrors(f);
        return f;
    }

    Finding classify(int i, std::vector<char> &referenced) const
    {
        const OnPremUser &u = m_input.onPrem.at(i);
        const ImmutableId::Base64Text anchorText = ImmutableId::base64TextOf(m_anchors.at(i));
        const QStringView anchor = anchorText.view();
        Finding f;
        f.onPremIndex = i;
        f.onPremDn = u.dn;
        f.onPremUpn = u.upn;
        f.setOnPremGuidBytes(u.objectGuid);
        f.setExpectedAnchorBytes(m_anchors.at(i));

        const int h = anchor.isEmpty() ? -1 : m_index.byAnchor(anchor);
        const int up = m_index.byUpn(u.upn);
        const int s = m_index.bySmtp(primarySmtpView(u.mail, u.proxyAddresses));
        for (int ref : {h, up, s})
            if (ref >= 0)
                referenced[size_t(ref)] = 1;
        const int x = up >= 0 ? up : s;
        const Addresses keys = addressesOf(u.upn, u.mail, u.proxyAddresses);

        // 1. Another scanned on-prem object yields the same anchor.
        if (!anchor.isEmpty() && twinCount(i) > 0) {
            setCategory(f, Category::DuplicateOnPremAnchor);
            setCloud(f, m_users, h >= 0 ? h : x);
            f.setReason(tr("%1 on-prem accounts yield the anchor %2; Entra Connect can link only "
                           "one of them. Fix the duplicate (usually a copied "
                           "mS-DS-ConsistencyGuid) on-prem first.")
                            .arg(twinCount(i) + 1)
                            .arg(anchor));
            return f;
        }
        // 2. Hard match.
        if (h >= 0) {
            setCloud(f, m_users, h);
            const auto [other, address] = m_index.otherHolder(keys, h, h);
            if (other >= 0) {
                setCategory(f, Category::DuplicateAddress);
                f.setReason(
                    tr("Linked to cloud user %1 by its anchor, but cloud user %2 also holds "
                       "the address %3; the next sync fails on that address until one of "
                       "them gives it up.")
                        .arg(m_users.at(h).upn, m_users.at(other).upn, address) +
                    confirmation(address));
                return f;
            }
            if (const auto [object, held] = m_index.otherObjectHolder(keys); object >= 0) {
                setCategory(f, Category::DuplicateAddress);
                f.setReason(tr("Linked to cloud user %1 by its anchor, but the %2 also holds the "
                               "address %3; the next sync fails on that address until one of "
                               "them gives it up.")
                                .arg(m_users.at(h).upn, m_index.extra(object).describe(), held) +
                            confirmation(held));
                return f;
            }
            setCategory(f, Category::InSync);
            f.useStandardReason();
            return f;
        }
        // 3. UPN and SMTP point at different cloud users.
        if (up >= 0 && s >= 0 && up != s) {
            setCategory(f, Category::AmbiguousMatch);
            setCloud(f, m_users, up);
            f.setReason(tr("The UPN matches cloud user %1 but the primary SMTP address %2 matches "
                           "cloud user %3. Decide which one belongs to this account and remove the "
                           "address from the other.")
                            .arg(m_users.at(up).upn, u.primarySmtp(), m_users.at(s).upn));
            return f;
        }
        // 4. Someone else holds one of the addresses.
        if (const auto [other, address] = m_index.otherHolder(keys, up, s); other >= 0) {
            setCategory(f, Category::DuplicateAddress);
            setCloud(f, m_users, x);
            f.setReason(tr("Cloud user %1 holds the address %2 of this account%3; the next sync "
                           "reports a duplicate attribute until it is removed there.")
                            .arg(m_users.at(other).upn, address,
                                 x >= 0 ? tr(" but is not its match (%1)").arg(m_users.at(x).upn)
                                        : QString()) +
                        confirmation(address));
            return f;
        }
        // Groups and contacts soft-match on proxy addresses too; deleted objects where
        // the sync engine reports the conflict.
        if (const auto [object, address] = m_index.otherObjectHolder(keys); object >= 0) {
            setCategory(f, Category::DuplicateAddress);
            setCloud(f, m_users, x);
            f.setReason(tr("The %1 holds the address %2 of this account; the next sync reports a "
                           "duplicate attribute until it is removed there.")
                            .arg(m_index.extra(object).describe(), address) +
                        confirmation(address));
            return f;
        }
        // 5. Nothing in the cloud.
        if (x < 0) {
            setCategory(f, Category::NoCloudMatch);
            f.useStandardReason();
            return f;
        }
        const CloudUser &c = m_users.at(x);
        setCloud(f, m_users, x);
        // 6. Admin accounts are never matched.
        if (c.holdsAdminRole) {
            setCategory(f, Category::AdminRole);
            f.setReason(adminRoleReason(c));
            return f;
        }
        // 6a. The source of authority was moved to the cloud on purpose.
        if (c.cloudManaged == true) {
            setCategory(f, Category::CloudManaged);
            f.setReason(cloudManagedReason(c));
            return f;
        }
        // 7. Still synced from somewhere else.
        if (c.syncEnabled == true) {
            setCategory(f, Category::SyncedObject);
            f.setReason(tr("Cloud user %1 is still synced (ImmutableId %2, this account yields %3) "
                           "and cannot be changed from the cloud. Change it on-prem, or stop "
                           "syncing it first.")
                            .arg(c.upn, orNone(c.immutableId), orNone(anchor.toString())));
            offerAdoption(f, c);
            return f;
        }
        // 8. A user in the recycle bin holds the anchor.
        if (const int d = m_index.deletedByAnchor(anchor); d >= 0) {
            const CloudUser &deleted = m_input.cloud.deletedUsers.at(d);
            setCategory(f, Category::DeletedAnchorHolder);
            f.deletedHolderId = deleted.id;
            f.setReason(tr("Deleted user %1 in the recycle bin still holds this account's anchor "
                           "%2 (\"Uniqueness violation. Property: SourceAnchor\"). Purge it for "
                           "good, then stamp cloud user %3, matched on %4.")
                            .arg(deleted.upn, anchor, c.upn,
                                 up >= 0 ? tr("UPN") : tr("primary SMTP address")));
            addStampWarnings(f, c);
            return f;
        }
        // 9. Federated domain: stamping needs a temporary managed UPN.
        if (const QString domain = m_index.federatedDomainOf(c.upn); !domain.isEmpty()) {
            setCategory(f, Category::FederatedDomain);
            const QString initial = m_input.cloud.initialDomain();
            f.setReason(tr("Cloud user %1 is in the federated domain %2; Entra changes the "
                           "ImmutableId only while the UPN is in a managed domain, so the stamp "
                           "switches the UPN to %3 and back.")
                            .arg(c.upn, domain,
                                 initial.isEmpty() ? c.upn.left(c.upn.lastIndexOf(u'@') + 1) +
                                                         tr("the initial domain")
                                                   : ChangeUnit::temporaryUpnFor(c.upn, initial)));
            if (initial.isEmpty())
                f.warnings << tr("The tenant's initial *.onmicrosoft.com domain is unknown; the "
                                 "UPN switch cannot be prepared.");
            addStampWarnings(f, c);
            return f;
        }
        // 10. Blank ImmutableId: the next sync soft-matches.
        if (c.immutableId.isEmpty()) {
            setCategory(f, Category::SoftMatchPending);
            f.useStandardReason();
            if (m_input.cloud.flags.blockSoftMatch)
                f.warnings << tr("The tenant blocks soft match: the next sync will not link this "
                                 "user unless it is stamped.");
            addStampWarnings(f, c);
            return f;
        }
        // 11. A different anchor: recreated or moved account.
        setCategory(f, Category::AnchorMismatch);
        // Worded when read; it names adopt_cloud_anchor where offerAdoption allows it.
        f.useStandardReason();
        if (m_input.cloud.flags.blockSoftMatch)
            f.warnings << tr("The tenant blocks soft match: clearing the ImmutableId will not "
                             "let the next sync link this account; stamp instead.");
        // Adoption first: allowed_actions keeps the order Plan::read derives it in.
        offerAdoption(f, c);
        addStampWarnings(f, c);
        return f;
    }

    // The sync engine's errors that concern on-prem user i's row: those of its cloud
    // user, and those on any object whose value is one of the user's addresses.
    void attachSyncErrors(Finding &f) const
    {
        if (!m_index.hasErrors())
            return;
        QList<std::pair<const ProvisioningError *, QString>> seen;
        const auto add = [&](const ProvisioningError *e, const QString &carrier) {
            for (const auto &s : std::as_const(seen))
                if (s.first == e)
                    return;
            seen.append({e, carrier});
            f.syncErrors << tr("%1 (reported on %2)").arg(e->text(), carrier);
        };
        if (f.cloudIndex >= 0) {
            const CloudUser &c = m_users.at(f.cloudIndex);
            for (const ProvisioningError &e : c.provisioningErrors)
                add(&e, tr("cloud user %1 (id %2)").arg(c.upn, c.id));
        }
        if (f.onPremIndex < 0)
            return;
        const OnPremUser &u = m_input.onPrem.at(f.onPremIndex);
        for (const Address &a : addressesOf(u.upn, u.mail, u.proxyAddresses))
            for (const ErrorRef &ref : m_index.conflictOn(a.text))
                add(ref.error, m_index.carrierOf(ref));
    }

private:
    // The AD-side fix (DESIGN.md §3): keep the cloud user's ImmutableId and write it into
    // this account's mS-DS-ConsistencyGuid, where the anchor rule reads that attribute and
    // no scanned on-prem object already yields the value.
    void offerAdoption(Finding &f, const CloudUser &c) const
    {
        if (m_input.anchorRule == AnchorRule::ObjectGuid || !f.canAdoptCloudAnchor())
            return;
        bool yielded = false;
        m_anchorIndex.find(FlatIndex::hashOf(c.immutableId), [&](FlatIndex::Entry e) {
            yielded =
                yielded || ImmutableId::base64TextOf(m_anchors.at(e.item)).view() == c.immutableId;
            return yielded;
        });
        if (yielded)
            return;
        f.allowedActions.append(Action::AdoptCloudAnchor);
        if (f.usesStandardReason())
            return; // the standard reason words it
        f.appendToReason(u' ' + tr("Or keep the cloud anchor: write %1 into this account's "
                                   "mS-DS-ConsistencyGuid (adopt_cloud_anchor), and the next sync "
                                   "hard-matches %2 without a cloud write.")
                                    .arg(c.immutableId, c.upn));
    }

    // " The sync engine reports it: …" when a provisioning error names the address.
    QString confirmation(const QString &address) const
    {
        const QList<ErrorRef> refs = m_index.conflictOn(address);
        if (refs.isEmpty())
            return {};
        return u' ' + tr("The sync engine reports it too: %1 on %2.")
                          .arg(refs.first().error->text(), m_index.carrierOf(refs.first()));
    }

    void addStampWarnings(Finding &f, const CloudUser &target) const
    {
        if (!target.onPremisesObjectIdentifier.isEmpty() &&
            !m_input.cloud.flags.allowOnPremUpdateOfObjectIdentifier) {
            f.warnings << tr("Cloud user has onPremisesObjectIdentifier set: since July 2026 Entra "
                             "blocks a hard match until it is cleared (PATCH /beta/users/%1 "
                             "{\"onPremisesObjectIdentifier\": null}).")
                              .arg(target.id);
            if (f.canClearObjectIdentifier()) {
                // Offered, never proposed: the old value cannot be written back.
                f.allowedActions.append(Action::ClearObjectIdentifier);
                f.warnings.last() += u' ' + tr("Anchorfix can clear it before the stamp "
                                               "(clear_object_identifier); that cannot be "
                                               "undone.");
            }
        }
        if (m_input.cloud.flags.blockCloudObjectTakeoverThroughHardMatch)
            f.warnings << tr("The tenant blocks cloud object takeover through hard match: a stamp "
                             "shows up as InvalidHardMatch at the next sync until the block is "
                             "lifted.");
    }

    const ReconcileInput &m_input;
    const QList<CloudUser> &m_users;
    const CloudIndex &m_index;
    const QList<QByteArray> &m_anchors; // per on-prem user: its anchor's 16 bytes, or empty
    const FlatIndex &m_anchorIndex;     // on-prem anchors → on-prem user

    // How many other on-prem users yield user i's anchor.
    int twinCount(int i) const
    {
        const QByteArray &anchor = m_anchors.at(i);
        int twins = 0;
        m_anchorIndex.find(FlatIndex::hashOf(ImmutableId::base64TextOf(anchor).view()),
                           [&](FlatIndex::Entry e) {
                               twins += e.item != i && m_anchors.at(e.item) == anchor;
                               return false; // visit them all
                           });
        return twins;
    }
};

} // namespace

QList<Finding> Reconciler::reconcile(const ReconcileInput &input)
{
    const int onPremCount = int(input.onPrem.size());
    const int cloudCount = int(input.cloud.users.size());
    const bool parallel = worthThreads(onPremCount + cloudCount);

    std::optional<CloudIndex> index;
    // The bytes only: 500k anchors as text would cost ~50 MB; the text is made on the stack.
    QList<QByteArray> anchors(onPremCount);
    FlatIndex anchorIndex;
    runAll(parallel,
           {[&] { index.emplace(input.cloud); },
            [&] {
                anchorIndex.reserve(size_t(onPremCount));
                for (int i = 0; i < onPremCount; ++i) {
                    anchors[i] = input.onPrem.at(i).anchorBytes(input.anchorRule);
                    if (!anchors.at(i).isEmpty())
                        anchorIndex.insert(
                            FlatIndex::hashOf(ImmutableId::base64TextOf(anchors.at(i)).view()),
                            {i, 0});
                }
            }});

    // On-prem rows in slices, one per core; each slice marks the cloud users it refers to
    // in its own vector so that no two threads write the same byte.
    QList<Finding> rows;
    // Room for the cloud-only rows too: the untouched capacity costs no memory, and
    // appending them never moves the on-prem rows.
    rows.reserve(qsizetype(onPremCount) + cloudCount);
    adviseHugePages(rows.data(), size_t(rows.capacity()) * sizeof(Finding));
    rows.resize(onPremCount);
    Finding *out = rows.data();
    const OnPremRowBuilder builder(input, *index, anchors, anchorIndex);
    std::vector<std::vector<char>> referencedBy(size_t(Slices::countFor(onPremCount)),
                                                std::vector<char>(size_t(cloudCount), 0));
    Slices::forEach(onPremCount, [&](int slice, int from, int to) {
        for (int i = from; i < to; ++i)
            out[i] = builder.build(i, referencedBy[size_t(slice)]);
    });

    for (int i = 0; i < cloudCount; ++i) {
        const bool referenced =
            std::any_of(referencedBy.cbegin(), referencedBy.cend(),
                        [i](const std::vector<char> &r) { return r[size_t(i)]; });
        if (referenced)
            continue;
        const CloudUser &c = input.cloud.users.at(i);
        Finding f;
        setCloud(f, input.cloud.users, i);
        if (!c.immutableId.isEmpty() && c.cloudManaged == true) {
            setCategory(f, Category::CloudManaged);
            f.setReason(cloudManagedReason(c) + u' ' +
                        tr("No scanned on-prem account yields its anchor or has its UPN or SMTP "
                           "address."));
        } else if (c.immutableId.isEmpty()) {
            setCategory(f, Category::CloudOnly);
            f.useStandardReason();
        } else {
            setCategory(f, Category::OrphanedAnchor);
            f.useStandardReason();
            if (input.onPremScanScoped)
                f.warnings << tr("The on-prem scan was limited to OUs or a filter: the account "
                                 "this ImmutableId belongs to may be outside it.");
            if (!index->federatedDomainOf(c.upn).isEmpty())
                f.allowedActions.removeAll(Action::Clear); // Entra refuses it for federated users
        }
        builder.attachSyncErrors(f);
        rows.append(f);
    }

    for (int i = 0; i < int(rows.size()); ++i) {
        Finding &f = rows[i];
        f.rowId = i + 1;
        if (f.onPremIndex >= 0 && !f.hasExpectedImmutableId()) {
            // Without an on-prem anchor there is nothing to stamp.
            f.allowedActions.removeAll(Action::Stamp);
            if (f.action == Action::Stamp)
                f.action = Action::None;
            f.warnings << tr("This on-prem account has no %1 value, so no anchor can be computed.")
                              .arg(anchorRuleName(input.anchorRule));
        }
        if (!f.warnings.isEmpty() && f.severity == Severity::Info)
            f.severity = Severity::Warning;
    }
    return rows;
}

QStringList Reconciler::tenantPreflight(const CloudSnapshot &cloud, const QList<Finding> &rows)
{
    int stamps = 0, clears = 0, blockedByIdentifier = 0, identifierClears = 0;
    for (const Finding &f : rows) {
        if (f.action == Action::Stamp || f.action == Action::PurgeDeleted ||
            f.action == Action::ClearObjectIdentifier)
            ++stamps; // each ends in a stamp
        if (f.action == Action::Stamp || f.action == Action::PurgeDeleted) {
            if (f.cloudIndex >= 0 && f.cloudIndex < cloud.users.size() &&
                !cloud.users.at(f.cloudIndex).onPremisesObjectIdentifier.isEmpty())
                ++blockedByIdentifier;
        } else if (f.action == Action::Clear) {
            ++clears;
        } else if (f.action == Action::ClearObjectIdentifier) {
            ++identifierClears;
        }
    }
    QStringList out;
    if (!cloud.flags.known) {
        out << tr("The tenant's sync flags (blockSoftMatchEnabled, "
                  "blockCloudObjectTakeoverThroughHardMatchEnabled, "
                  "allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled) are unknown: the scan "
                  "could not read them, so what a stamp or clear achieves at the next sync is "
                  "not checked.");
    } else {
        if (cloud.flags.blockCloudObjectTakeoverThroughHardMatch)
            out << tr("Takeover by hard match is blocked "
                      "(blockCloudObjectTakeoverThroughHardMatchEnabled): %n planned stamp(s) "
                      "will surface as InvalidHardMatch at the next sync until the block is "
                      "lifted.",
                      nullptr, stamps);
        if (cloud.flags.blockSoftMatch)
            out << tr("Soft match is blocked (blockSoftMatchEnabled): %n planned clear(s) will "
                      "not let the next sync link the account; stamp instead.",
                      nullptr, clears);
        if (cloud.flags.allowOnPremUpdateOfObjectIdentifier)
            out << tr("The temporary bypass is on "
                      "(allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled): Entra Connect may "
                      "update onPremisesObjectIdentifier, so a set value does not block the hard "
                      "match while the bypass lasts; no clear is needed for that (%n "
                      "clear_object_identifier planned). It is meant for recovery only: once it "
                      "is turned off, the July 2026 block applies again.",
                      nullptr, identifierClears);
    }
    if (identifierClears > 0)
        out << tr("%n planned clear_object_identifier action(s) clear onPremisesObjectIdentifier "
                  "before the stamp: not reversible (the old value cannot be written back); "
                  "needs User-OnPremisesSyncBehavior.ReadWrite.All.",
                  nullptr, identifierClears);
    if (blockedByIdentifier > 0 && !cloud.flags.allowOnPremUpdateOfObjectIdentifier)
        out << tr("%n planned stamp(s) target cloud users with onPremisesObjectIdentifier set: "
                  "since July 2026 Entra blocks the hard match until it is cleared "
                  "(PATCH /beta/users/{id} {\"onPremisesObjectIdentifier\": null}, not "
                  "reversible).",
                  nullptr, blockedByIdentifier);
    if (!out.isEmpty())
        out << tr("Anchorfix does not change tenant flags; an administrator changes them in "
                  "Entra Connect or with Microsoft Graph.");
    return out;
}
