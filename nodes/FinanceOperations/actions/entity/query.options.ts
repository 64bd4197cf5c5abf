import type { INodeProperties } from 'n8n-workflow';

export const selectOption: INodeProperties = {
  displayName: 'Fields to Return (Select) Names or IDs',
  name: 'select',
  type: 'multiOptions',
  typeOptions: { loadOptionsMethod: 'getFieldNames', loadOptionsDependsOn: ['entitySet.value'] },
  default: [],
  description: 'Only these fields ($select); none returns every field. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const filterOption: INodeProperties = {
  displayName: 'Filter (OData)',
  name: 'filter',
  type: 'string',
  default: '',
  placeholder: "CustomerGroupId eq '10' and CreditLimit gt 1000",
  description: "OData $filter as F&O reads it: eq ne gt ge lt le and or not; quote text in single quotes and double any quote inside ('O''Brien'); enums as Microsoft.Dynamics.DataEntities.NoYes'Yes'; 'in' and 'has' are not supported",
};

export const orderByOption: INodeProperties = {
  displayName: 'Order By',
  name: 'orderBy',
  type: 'string',
  default: '',
  placeholder: 'CustomerAccount desc, OrganizationName',
  description: 'Fields to sort by, each optionally followed by asc or desc, separated by commas',
};

export const expandOption: INodeProperties = {
  displayName: 'Expand',
  name: 'expand',
  type: 'string',
  default: '',
  placeholder: 'SalesOrderLines',
  description: 'Navigation properties to include, separated by commas (one level only: F&O does not expand inside an expansion)',
};
