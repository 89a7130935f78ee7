#pragma once

#include "job.h"

#include <QPointer>

#include <functional>

// A Job that finishes with a value of type Result (valid when error() == NoError).
template <typename Result> class ValueJob : public Job
{
public:
    using Job::Job;
    const Result &value() const { return m_value; }

protected:
    void setValue(Result value) { m_value = std::move(value); }

private:
    Result m_value{};
};

// Runs another Job and finishes with what extract() reads from it: the bridge from a
// service job (LdapScanJob, CloudScanJob, …) to the typed job a page waits for.
// Progress, status lines, errors and cancel pass straight through.
template <typename Result> class ForwardingJob : public ValueJob<Result>
{
public:
    using Factory = std::function<Job *()>;
    using Extract = std::function<Result(Job *)>;

    ForwardingJob(Factory make, Extract extract, QObject *parent = nullptr)
        : ValueJob<Result>(parent), m_make(std::move(make)), m_extract(std::move(extract))
    {}

protected:
    void doStart() override
    {
        Job *inner = m_make();
        if (!inner) {
            this->fail(Job::UserDefinedError, QObject::tr("This service is not available."));
            this->emitResult();
            return;
        }
        m_inner = inner;
        QObject::connect(inner, &Job::progressChanged, this,
                         [this](const JobProgress &p) { this->setProgress(p); });
        QObject::connect(inner, &Job::infoMessage, this, &Job::infoMessage);
        QObject::connect(inner, &Job::finished, this, [this](Job *job) {
            if (job->error() != Job::NoError)
                this->fail(job->error(), job->errorString());
            else
                this->setValue(m_extract(job));
            this->emitResult();
        });
        inner->start();
    }
    void doCancel() override
    {
        if (m_inner)
            m_inner->cancel(); // finishes the inner job → we finish as Cancelled
        else
            Job::doCancel();
    }

private:
    Factory m_make;
    Extract m_extract;
    QPointer<Job> m_inner;
};

// Finishes at once with an error: work that could not even begin (a failed sign-in)
// handed to a caller that expects a job.
template <typename Result> class FailedJob : public ValueJob<Result>
{
public:
    explicit FailedJob(QString errorText, QObject *parent = nullptr)
        : ValueJob<Result>(parent), m_errorText(std::move(errorText))
    {}

protected:
    void doStart() override
    {
        this->fail(Job::UserDefinedError, m_errorText);
        this->emitResult();
    }

private:
    QString m_errorText;
};
