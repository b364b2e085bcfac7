{{ stage_feed('hc', 'hs_institutions') }}
