// Reports target.
