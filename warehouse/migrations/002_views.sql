-- The publishing contract: views over the latest successful state.

create or replace view latest_source_runs as
select * exclude (rn) from (
    select *, row_number() over (partition by dataset_id order by finished_at desc, run_id desc) as rn
    from source_runs where status in ('ok', 'unchanged')
) where rn = 1;

create or replace view facts_current as
select f.* from facts f
join latest_source_runs s on f.run_id = s.run_id and f.dataset_id = s.dataset_id;

create or replace view lqs_latest as
select dataset_id, composite, tier, coverage, methodology_version, scored_at, run_id from (
    select *, row_number() over (partition by dataset_id order by scored_at desc, run_id desc) as rn
    from lqs_scores
) where rn = 1;

create or replace view lqs_dimensions_latest as
select d.dataset_id, d.dimension, d.score, d.basis, d.evidence
from lqs_dimensions d
join lqs_latest l on d.dataset_id = l.dataset_id and d.run_id = l.run_id and d.scored_at = l.scored_at;

create or replace view catalog as
with w as (
    select dataset_id, field, value from facts_current where winner and record is null
), p as (
    select dataset_id,
        max(case when field = 'title' then value ->> '$' end) as title,
        max(case when field = 'item_count' then try_cast(value ->> '$' as bigint) end) as item_count,
        max(case when field = 'item_unit' then value ->> '$' end) as item_unit,
        max(case when field = 'subject_count' then try_cast(value ->> '$' as bigint) end) as subject_count,
        max(case when field = 'class_count' then try_cast(value ->> '$' as bigint) end) as class_count,
        max(case when field = 'size_bytes' then try_cast(value ->> '$' as bigint) end) as size_bytes,
        max(case when field = 'formats' then array_to_string(from_json(value, '["VARCHAR"]'), ' · ') end) as formats,
        max(case when field = 'license' then value ->> '$' end) as license,
        max(case when field = 'commercial_use' then try_cast(value ->> '$' as boolean) end) as commercial_use,
        max(case when field = 'release_date' then try_cast(left(value ->> '$', 4) as integer) end) as release_year,
        max(case when field = 'publisher' then value ->> '$' end) as publisher
    from w group by dataset_id
)
select d.dataset_id, coalesce(p.title, d.name) as title, d.category, p.item_count, p.item_unit,
       p.subject_count, p.class_count, p.size_bytes, p.formats, p.license, p.commercial_use,
       p.release_year, p.publisher, d.source_url, l.composite as lqs, l.tier, l.scored_at
from datasets d
left join p on p.dataset_id = d.dataset_id
left join lqs_latest l on l.dataset_id = d.dataset_id;
