-- Core tables. Every run appends; nothing is updated in place except runs' closing columns.
create table runs (
    run_id        varchar primary key,
    kind          varchar not null,          -- harvest | refresh | score
    started_at    timestamp not null,
    finished_at   timestamp,
    status        varchar not null,          -- running | ok | partial | failed
    replay        varchar,
    archive_path  varchar,
    flow_run_id   varchar,
    sources_ok    integer default 0,
    sources_failed integer default 0,
    facts         integer default 0,
    bytes         bigint default 0,
    summary       json
);

create table datasets (
    dataset_id    varchar primary key,
    name          varchar not null,
    category      varchar not null,
    source_url    varchar not null,
    adapter       varchar,
    updated_at    timestamp
);

create table source_runs (
    run_id        varchar not null,
    dataset_id    varchar not null,
    status        varchar not null,          -- ok | unchanged | failed
    adapter       varchar,
    error         varchar,
    facts         integer,
    pages         integer,
    bytes         bigint,
    fingerprint   varchar,                   -- config + extractor versions; equal means reusable
    reused_run_id varchar,                   -- for 'unchanged': the run whose facts were copied
    started_at    timestamp,
    finished_at   timestamp,
    primary key (run_id, dataset_id)
);

create table fetches (
    run_id        varchar not null,
    dataset_id    varchar,
    url           varchar not null,
    host          varchar,
    method        varchar,
    purpose       varchar,                   -- page | annotations | robots
    attempt       integer,
    status        integer,
    outcome       varchar,                   -- ok | not-modified | unchanged | skipped-robots | error kind
    bytes         bigint,
    sha256        varchar,
    elapsed_ms    double,
    retry_after   double,
    error         varchar,
    etag          varchar,
    last_modified varchar,
    content_type  varchar,
    fetched_at    timestamp
);

create table facts (
    run_id        varchar not null,
    dataset_id    varchar not null,
    field         varchar not null,
    value         json,
    unit          varchar,
    source_url    varchar,
    archive_sha256 varchar,
    extractor     varchar,
    evidence      varchar,
    basis         varchar not null,          -- measured | published | curated
    rank          integer,
    winner        boolean not null,          -- the resolved value for (dataset, field) in this run
    record        varchar
);

create table files (
    run_id        varchar not null,
    dataset_id    varchar not null,
    name          varchar,
    size_bytes    bigint,
    format        varchar,
    url           varchar,
    file_id       varchar,
    folder        varchar,
    sha256        varchar,
    kind          varchar,
    file_count    integer
);

create table label_stats (
    run_id        varchar not null,
    dataset_id    varchar not null,
    file_name     varchar,
    source_url    varchar,
    archive_sha256 varchar,
    rows          bigint,
    unique_ids    bigint,
    duplicate_ids bigint,
    subjects      bigint,
    columns       integer,
    fill_rate     double,
    classes       integer,
    background_count bigint,
    labels_per_item double,
    labels_per_item_positive double,
    gini          double,
    max_min_ratio double,
    class_counts  json,
    column_fill   json
);

create table lqs_scores (
    run_id        varchar not null,
    dataset_id    varchar not null,
    composite     integer not null,
    tier          varchar not null,
    coverage      double not null,
    methodology_version varchar not null,
    scored_at     timestamp not null
);

create table lqs_dimensions (
    run_id        varchar not null,
    dataset_id    varchar not null,
    dimension     varchar not null,
    score         integer not null,
    basis         varchar not null,          -- measured | published | curated | default
    evidence      varchar not null,
    scored_at     timestamp not null
);
