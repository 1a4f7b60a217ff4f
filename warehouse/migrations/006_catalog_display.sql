-- What a reader of the catalog expects to see (issue 15):
-- * `title` is the editor's display name from sources.toml (datasets.name); the page's own
--   title stays a fact and is shown as `page_title`;
-- * `formats` names the inner format of an archive where one is known (an `inner_format` fact,
--   stated by the source or curated): "PNG (in TAR) · CSV". The one place this text is made;
--   cards and the site read it from here.
drop view catalog;

create or replace view catalog_formats as
with w as (
    select dataset_id,
           max(case when field = 'formats' then from_json(value, '["VARCHAR"]') end) as formats,
           max(case when field = 'inner_format' then value ->> '$' end) as inner_format
    from facts_current where winner and record is null and field in ('formats', 'inner_format')
    group by dataset_id
), a as (
    select *, list_filter(formats, lambda x: x in ('TAR', 'ZIP', 'GZIP', 'TGZ', '7Z', 'RAR', 'BZIP2', 'XZ'))[1] as archive
    from w
)
select dataset_id,
       case when inner_format is not null and archive is not null
            then array_to_string(list_concat([inner_format || ' (in ' || archive || ')'],
                                             list_filter(formats, lambda x: x <> archive)), ' · ')
            else array_to_string(formats, ' · ') end as formats
from a;

create or replace view catalog_base as
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
        max(case when field = 'license' then value ->> '$' end) as license,
        max(case when field = 'commercial_use' then try_cast(value ->> '$' as boolean) end) as commercial_use,
        max(case when field = 'release_date' then try_cast(left(value ->> '$', 4) as integer) end) as release_year,
        max(case when field = 'publisher' then value ->> '$' end) as publisher
    from w group by dataset_id
)
select d.dataset_id, d.name as title, d.category, p.item_count, p.item_unit,
       p.subject_count, p.class_count, p.size_bytes, f.formats, p.license, p.commercial_use,
       p.release_year, p.publisher, d.source_url, l.composite as lqs, l.tier, l.scored_at,
       p.title as page_title
from datasets d
left join p on p.dataset_id = d.dataset_id
left join catalog_formats f on f.dataset_id = d.dataset_id
left join lqs_latest l on l.dataset_id = d.dataset_id;

create view catalog as
select c.*, w.dataset_id is not null as withdrawn
from catalog_base c left join withdrawn w using (dataset_id);
