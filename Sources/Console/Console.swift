// Console target.
