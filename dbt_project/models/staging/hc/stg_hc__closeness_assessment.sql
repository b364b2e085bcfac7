{{ stage_feed('hc', 'hs_closeness_assessment') }}
