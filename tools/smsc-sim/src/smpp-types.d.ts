/// <reference types="@maskline/smpp-types" />
