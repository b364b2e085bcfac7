{{ stage_feed('hc', 'hs_village_clinic_equipment') }}
