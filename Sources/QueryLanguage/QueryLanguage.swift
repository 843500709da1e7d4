// QueryLanguage target.
