import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**', 'bench/results/**', 'clients/generated/**', 'reports/**', '.stryker-tmp/**'] }),
  {
    rules: {
      // Schemas export a value and its static type under one name (`const Tag` + `type Tag`), as TypeBox intends.
      '@typescript-eslint/no-redeclare': 'off'
    }
  }
]
