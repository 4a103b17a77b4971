export type HeadColumn = string | { readonly label: string; readonly numeric: true };

/** A table's header row; numeric columns are right-aligned like their figures. */
export function TableHead({ columns }: { columns: readonly HeadColumn[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === "string" ? (
            <th key={column} scope="col">
              {column}
            </th>
          ) : (
            <th key={column.label} scope="col" className="text-right">
              {column.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
