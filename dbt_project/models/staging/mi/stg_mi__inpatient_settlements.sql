{{ stage_feed('mi', 'mi_inpatient_settlements') }}
