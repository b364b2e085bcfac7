{{ stage_feed('hc', 'death_registrations') }}
