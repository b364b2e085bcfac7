{{ stage_feed('hc', 'hs_remote_diagnoses') }}
